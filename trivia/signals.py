"""Checks that run when a fixture is loaded.

`loaddata` saves objects "raw", bypassing `Model.save()`, so the provenance
invariants would not be checked. These handlers check them on raw saves only, and
raise `FixtureIntegrityError` (a `CommandError`, so `loaddata` prints one clear line
and exits non-zero) inside loaddata's transaction: nothing of the fixture is kept.
"""

from django.core.management.base import CommandError
from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import publishing, search, text
from .models import Citation, Fact, Person, Source


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


@receiver(pre_save, sender=Fact, dispatch_uid="trivia_stamp_first_publication")
def stamp_first_publication(sender, instance, raw, **kwargs):
    # Every ORM save of a fact publishes through the one rule (trivia/publishing.py). A raw
    # save without the date (a fixture or history version older than the field) gets the
    # date migration 0005 gave existing facts.
    when = publishing.restored_publication_time(instance) if raw else None
    publishing.stamp_first_publication([instance], when)


# --- Full-text search: keep `Fact.search_document` in step ---------------------------
# The document holds the fact's text, its people's names and its quotes, so each of
# those writes refreshes it, raw fixture saves included (loaddata saves a fact, then
# sets its people, then saves its citations). On SQLite the FTS5 triggers follow the
# column; on PostgreSQL the GIN index does. Writes that bypass signals (bulk_create,
# QuerySet.update) call `search.rebuild_search_index()` afterwards.


@receiver(post_save, sender=Fact, dispatch_uid="trivia_search_fact_saved")
def refresh_search_for_saved_fact(sender, instance, using, **kwargs):
    changed = search.refresh_search_documents([instance.pk], using=using)
    if instance.pk in changed:
        instance.search_document = changed[instance.pk]


@receiver(m2m_changed, sender=Fact.people.through, dispatch_uid="trivia_search_fact_people_changed")
def refresh_search_for_people_change(sender, instance, action, reverse, pk_set, using, **kwargs):
    if reverse and action == "pre_clear":
        # person.facts.clear(): afterwards nothing says which facts lost the name.
        instance._search_facts_before_clear = list(instance.facts.using(using).values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        fact_ids = [instance.pk]
    elif action == "post_clear":
        fact_ids = getattr(instance, "_search_facts_before_clear", [])
    else:
        fact_ids = pk_set or []
    search.refresh_search_documents(fact_ids, using=using)


@receiver(post_save, sender=Citation, dispatch_uid="trivia_search_citation_saved")
@receiver(post_delete, sender=Citation, dispatch_uid="trivia_search_citation_deleted")
def refresh_search_for_citation(sender, instance, using, **kwargs):
    search.refresh_search_documents([instance.fact_id], using=using)


@receiver(post_save, sender=Person, dispatch_uid="trivia_search_person_saved")
def refresh_search_for_renamed_person(sender, instance, created, using, **kwargs):
    if not created:
        search.refresh_search_documents(instance.facts.using(using).values_list("pk", flat=True), using=using)


@receiver(pre_delete, sender=Person, dispatch_uid="trivia_search_person_deleting")
def remember_facts_of_deleted_person(sender, instance, using, **kwargs):
    # The fact-people rows go with the person without an m2m signal.
    instance._search_facts_before_delete = list(instance.facts.using(using).values_list("pk", flat=True))


@receiver(post_delete, sender=Person, dispatch_uid="trivia_search_person_deleted")
def refresh_search_for_deleted_person(sender, instance, using, **kwargs):
    search.refresh_search_documents(getattr(instance, "_search_facts_before_delete", []), using=using)


@receiver(post_migrate, dispatch_uid="trivia_search_repair_sqlite_index")
def repair_sqlite_search_index(sender, using, **kwargs):
    # A migration that alters the fact table on SQLite rebuilds it and loses the triggers.
    if sender.name == "trivia":
        search.ensure_sqlite_index(connections[using])
