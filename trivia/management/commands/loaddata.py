"""Django's `loaddata`, with one clear line instead of a traceback when a fixture is bad.

Django loads a fixture in one transaction, but a truncated file or an object pointing
at something missing ends in a traceback. This command (it shadows the built-in one, as
`trivia` is an installed app) says what is wrong and where, naming objects by their
natural keys: one line, exit status 1, nothing loaded. A single `.json` fixture into
empty trivia tables goes through `trivia.fixture_load` first, the same rows and rules in
a few queries per batch, read from the file a piece at a time; whatever that loader does
not take is loaded here the stock way.
"""

import json
import os

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

from trivia import fixture_load, integrity
from trivia.management.base import OneLineUsageErrors

NOTHING_LOADED = "Nothing was loaded; the database is as it was."


class FixtureIntegrityError(CommandError):
    """The fixture breaks a rule about sources or citations (trivia/integrity.py)."""


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
    # PostgreSQL's errors run over several lines (DETAIL: …); the report is one.
    message = " ".join(str(exc).split())
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


class Command(OneLineUsageErrors, loaddata.Command):
    help = loaddata.Command.help + " A bad fixture is reported in one line and nothing of it is loaded."

    def handle(self, *fixture_labels, **options):
        self.labels = ", ".join(f"'{label}'" for label in fixture_labels)
        try:
            if self.load_fast(fixture_labels, options):
                return None
            return super().handle(*fixture_labels, **options)
        except integrity.ProvenanceError as exc:
            raise FixtureIntegrityError(f"{_sentence(str(exc))} {NOTHING_LOADED}") from exc
        except CommandError as exc:
            # Same exception (e.g. FixtureIntegrityError), with the reassurance added.
            exc.args = (f"{_sentence(str(exc))} {NOTHING_LOADED}",)
            raise
        except (DeserializationError, DatabaseError, ObjectDoesNotExist, ValueError) as exc:
            if options.get("traceback"):
                raise
            raise CommandError(f"{_sentence(explain(exc))} {NOTHING_LOADED}") from exc

    def load_fast(self, fixture_labels, options) -> bool:
        """Load through `trivia.fixture_load` if it takes this fixture; False means the stock path must."""
        if (
            len(fixture_labels) != 1
            or not fixture_labels[0].endswith(".json")
            or not os.path.isfile(fixture_labels[0])
            or options["database"] != DEFAULT_DB_ALIAS
            or options["app_label"]
            or options["exclude"]
            or options["ignore"]
            or options["format"]
        ):
            return False
        try:
            with transaction.atomic(using=DEFAULT_DB_ALIAS):
                count = fixture_load.load_file(fixture_labels[0], DEFAULT_DB_ALIAS)
        except fixture_load.NotFastLoadable:
            return False
        if options["verbosity"] >= 1:
            self.stdout.write(f"Installed {count} object(s) from 1 fixture(s)")
        return True

    def save_obj(self, obj):
        # Relations whose natural key matched nothing yet are "deferred" by the deserializer.
        # A required foreign key would fail on NOT NULL with no hint of what is missing; a
        # fact's people may still come later in the fixture, so they are checked when set.
        for field, natural_key in obj.deferred_fields.items():
            if field.many_to_one and not field.null:
                raise CommandError(self.missing(obj.object, field, natural_key))
            if field.many_to_many:
                self.check_people_when_set(obj, field, natural_key)
        try:
            return super().save_obj(obj)
        except (DatabaseError, ValueError) as exc:
            # Django names the object by primary key, which a natural-key fixture leaves unset.
            stock = f"Could not load {obj.object._meta.label}(pk={obj.object.pk}): "
            message = str(exc.args[0]) if exc.args else ""
            exc.args = (f"Could not load {describe(obj.object)}: {message.removeprefix(stock)}",)
            raise

    def missing(self, instance, field, natural_key) -> str:
        related = field.related_model._meta.verbose_name
        where = "in the fixture" if field.many_to_many else "in the fixture (before it)"
        return (
            f"Problem installing fixture {self.labels}: {describe(instance)} refers to {related} {natural_key!r}, "
            f"which is neither {where} nor in the database."
        )

    def check_people_when_set(self, obj, field, natural_keys) -> None:
        """Before Django resolves the deferred relation, name any natural key that still matches nothing."""
        save_deferred_fields = obj.save_deferred_fields
        manager = field.related_model._default_manager.db_manager(self.using)

        def checked(using=None):
            for natural_key in natural_keys:
                if isinstance(natural_key, list) and not manager.filter(slug=natural_key[0]).exists():
                    raise CommandError(self.missing(obj.object, field, natural_key))
            save_deferred_fields(using=using)

        obj.save_deferred_fields = checked
