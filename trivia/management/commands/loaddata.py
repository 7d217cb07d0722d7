"""Django's `loaddata`, with one clear line instead of a traceback when a fixture is bad.

Django already loads a fixture in one transaction, so a bad one leaves the database
as it was; but a truncated file or an object pointing at something missing ends in a
traceback whose last line can be empty ("Problem installing fixture 'x.json': ").
This command (it shadows the built-in one because `trivia` is an installed app) says
what is wrong, and where, as a `CommandError`: one line on stderr, exit status 1.
`--traceback` still shows the original exception.
"""

import json

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError

NOTHING_LOADED = "Nothing was loaded; the database is as it was."


def _causes(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _sentence(message: str) -> str:
    message = message.strip()
    return message if message.endswith((".", "?", "!")) else message + "."


def explain(exc: BaseException) -> str:
    """One line saying what is wrong with the fixture, built from the exception Django raised."""
    message = str(exc).strip()
    if not message.startswith("Problem installing"):
        # Raised after every file was read (e.g. resolving a fact's people), so Django names none.
        message = f"Problem installing fixtures: {message}"
    for cause in _causes(exc):
        if isinstance(cause, json.JSONDecodeError):
            return (
                f"{message.rstrip(': ')}: the file is not valid JSON ({cause.msg} at line {cause.lineno}, "
                f"column {cause.colno}); is it complete?"
            )
        if isinstance(cause, ObjectDoesNotExist):
            return (
                f"{_sentence(message)} An object refers to another that is neither in the fixture (before it) "
                "nor in the database."
            )
    return message


def describe(instance) -> str:
    """'fact 'over-budget'' — the object's kind and, when it can be computed, its natural key."""
    name = instance._meta.verbose_name
    try:
        key = instance.natural_key()
    except (AttributeError, ObjectDoesNotExist):
        return f"a {name}"
    return f"{name} {key[0] if len(key) == 1 else list(key)!r}"


class Command(loaddata.Command):
    help = loaddata.Command.help + " A bad fixture is reported in one line and nothing of it is loaded."

    def handle(self, *fixture_labels, **options):
        try:
            return super().handle(*fixture_labels, **options)
        except CommandError as exc:
            # Same exception (e.g. FixtureIntegrityError), with the reassurance added.
            exc.args = (f"{_sentence(str(exc))} {NOTHING_LOADED}",)
            raise
        except (DeserializationError, DatabaseError, ObjectDoesNotExist, ValueError) as exc:
            if options.get("traceback"):
                raise
            raise CommandError(f"{explain(exc)} {NOTHING_LOADED}") from exc

    def load_label(self, fixture_label):
        self.current_fixture_label = fixture_label
        return super().load_label(fixture_label)

    def save_obj(self, obj):
        # A required foreign key whose natural key matched nothing is "deferred" by the
        # deserializer; saving it would fail on NOT NULL with no hint of what is missing.
        for field, natural_key in obj.deferred_fields.items():
            if field.many_to_one and not field.null:
                related = field.related_model._meta.verbose_name
                raise CommandError(
                    f"Problem installing fixture '{self.current_fixture_label}': {describe(obj.object)} refers to "
                    f"{related} {natural_key!r}, which is neither in the fixture (before it) nor in the database."
                )
        return super().save_obj(obj)
