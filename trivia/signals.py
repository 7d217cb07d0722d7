"""Checks that run when a fixture is loaded.

`loaddata` saves objects "raw", bypassing `Model.save()`, so the provenance
invariants would not be checked. These handlers check them on raw saves only, and
raise `FixtureIntegrityError` (a `CommandError`, so `loaddata` prints one clear line
and exits non-zero) inside loaddata's transaction: nothing of the fixture is kept.
"""

from django.core.management.base import CommandError
from django.db.models.signals import pre_save
from django.dispatch import receiver

from . import text
from .models import Citation, Source


class FixtureIntegrityError(CommandError):
    """A fixture holds data that breaks a provenance invariant."""


@receiver(pre_save, sender=Source, dispatch_uid="trivia_check_loaded_source")
def check_loaded_source(sender, instance, raw, **kwargs):
    if not raw:
        return
    normalised = text.normalise_newlines(instance.content or "")
    if normalised != instance.content:
        raise FixtureIntegrityError(
            f"Source {instance.slug!r}: its content has CR line endings; sources store \\n only."
        )
    actual = text.sha256_hex(instance.content)
    if instance.sha256 != actual:
        raise FixtureIntegrityError(
            f"Source {instance.slug!r}: the stored SHA-256 {instance.sha256!r} does not match its "
            f"content (which hashes to {actual!r}); the fixture was altered or truncated."
        )


@receiver(pre_save, sender=Citation, dispatch_uid="trivia_check_loaded_citation")
def check_loaded_citation(sender, instance, raw, **kwargs):
    if not raw:
        return
    try:
        source = Source.objects.get(pk=instance.source_id)
    except Source.DoesNotExist:
        raise FixtureIntegrityError(
            f"A citation refers to a source that is not in the database or the fixture "
            f"(quote {text.shorten(instance.quote)!r})."
        ) from None
    instance.source = source
    if not instance.is_broken:
        errors = instance.invariant_errors()
        if errors:
            fact_key = getattr(instance.fact, "key", "?") if instance.fact_id else "?"
            raise FixtureIntegrityError(
                f"Citation of fact {fact_key!r} in source {source.slug!r} does not match its source: "
                + " ".join(errors.values())
            )
    instance.refresh_paragraph()
