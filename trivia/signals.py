"""Signal handlers: the provenance rules on raw saves, and the search document kept in step.

`loaddata` and reversion's revert save rows "raw", bypassing `Model.save()`. The raw
`pre_save` handlers apply the rules an editor's save does (trivia/integrity.py): a source
must hash to its SHA-256, a citation must sit on its quote, and a source whose text
changes under its citations re-anchors or flags them. A broken rule raises
`ProvenanceError` inside the caller's transaction, so nothing of the load is kept.
"""

from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import integrity, publishing, search, text
from .models import Citation, Fact, Person, Source
from .services import anchoring


@receiver(pre_save, sender=Source, dispatch_uid="trivia_raw_source_saved")
def check_raw_source(sender, instance, raw, using, **kwargs):
    if not raw:
        return
    integrity.require_sound_source(instance)
    previous = Source.objects.using(using).filter(pk=instance.pk).values_list("content", flat=True).first()
    if previous is not None and previous != instance.content:
        # A fixture or an old version brings other text: the citations follow it or are flagged.
        anchoring.reanchor_citations(instance, previous_content=previous)


@receiver(pre_save, sender=Citation, dispatch_uid="trivia_raw_citation_saved")
def check_raw_citation(sender, instance, raw, using, **kwargs):
    if not raw:
        return
    source = Source.objects.using(using).only("slug", "content").filter(pk=instance.source_id).first()
    if source is None:
        raise integrity.ProvenanceError(
            f"A citation refers to a source that is not in the database or the fixture "
            f"(quote {text.shorten(instance.quote)!r})."
        )
    instance.source = source
    fact_key = Fact.objects.using(using).filter(pk=instance.fact_id).values_list("key", flat=True).first()
    integrity.require_sound_citation(instance, source.content, fact_key=fact_key or "?", source_slug=source.slug)


@receiver(pre_save, sender=Fact, dispatch_uid="trivia_stamp_first_publication")
def stamp_first_publication(sender, instance, raw, **kwargs):
    # Every ORM save of a fact publishes through the one rule (trivia/publishing.py). A raw
    # save without the date (a fixture or history version older than the field) gets the
    # date migration 0006 gave existing facts.
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
