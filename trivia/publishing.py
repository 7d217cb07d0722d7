"""When a fact was first published: one rule, used by every path that publishes.

`Fact.published_at` is set the first time a fact is published and never moved or
cleared by publishing again: a fact taken back to draft and republished keeps its
date, so the feeds order facts by when readers first saw them and an entry never
comes back as new. The database refuses a published fact without the date
(constraint `fact_published_has_published_at`).

Who calls it: a `pre_save` handler (trivia/signals.py) for every ORM save — the
admin's fact form, seeding, imports; `services.editing.update_facts` (the admin's
bulk "Publish" action, a `QuerySet.update()`) through `publishing_update`; every bulk
insert of new facts (demo data, imports) through `bulk.create`.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Fact


def stamp_first_publication(facts: Iterable[Fact], when: datetime | None = None) -> None:
    """Give each published fact that has no publication date `when` (default: now)."""
    when = when or timezone.now()
    for fact in facts:
        if fact.status == Fact.Status.PUBLISHED and fact.published_at is None:
            fact.published_at = when


def publishing_update(values: dict, when: datetime) -> dict:
    """`QuerySet.update()` arguments for `values`: publishing stamps the facts never published before."""
    if values.get("status") != Fact.Status.PUBLISHED:
        return values
    return {**values, "published_at": Coalesce(F("published_at"), Value(when, output_field=DateTimeField()))}


def restored_publication_time(fact: Fact) -> datetime:
    """The date a published fact gets when none was recorded: its creation, as migration 0006 decided.

    For rows written before the field existed: fixtures and history versions saved raw.
    The creation time is never later than the real first publication and never moves.
    """
    return fact.created_at or timezone.now()
