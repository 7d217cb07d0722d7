"""Editorial writes: optimistic locks and bulk changes to facts."""

from dataclasses import dataclass, field

import reversion
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch
from django.utils import timezone

from .. import publishing
from ..models import Citation, Fact


class StaleEdit(Exception):
    """The row changed since the editor's form was opened; saving would overwrite that change."""


def claim_lock_version(model, pk, seen: int) -> int:
    """Move a row's `lock_version` from `seen` to `seen + 1`, or raise `StaleEdit`.

    One conditional UPDATE, so of two saves racing from the same version exactly one
    wins: the database re-checks the WHERE clause after the first commits.
    """
    claimed = model._default_manager.filter(pk=pk, lock_version=seen).update(lock_version=F("lock_version") + 1)
    if not claimed:
        raise StaleEdit(f"{model._meta.verbose_name} {pk} is no longer at version {seen}.")
    return seen + 1


@dataclass
class FactUpdateReport:
    changed: int = 0
    skipped: list = field(default_factory=list)  # (fact, reason) not changed on purpose


@transaction.atomic
def update_facts(facts, *, user=None, comment: str, **values) -> FactUpdateReport:
    """Set `values` on the given facts, as one revision recorded with `user`.

    Each changed fact's lock_version is bumped, so an edit form opened before (say) a
    publish cannot save the old status back over it.
    """
    report = FactUpdateReport()
    ids = list(Fact.objects.filter(pk__in=[fact.pk for fact in facts]).exclude(**values).values_list("pk", flat=True))
    if values.get("status") == Fact.Status.PUBLISHED:
        # A published fact must show where it comes from.
        uncited = Fact.objects.filter(pk__in=ids).exclude(Exists(Citation.objects.filter(fact=OuterRef("pk"))))
        for fact in uncited:
            report.skipped.append((fact, "it cites no source"))
        ids = [pk for pk in ids if pk not in {fact.pk for fact, _ in report.skipped}]
    if not ids:
        return report
    with reversion.create_revision():
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment)
        now = timezone.now()
        report.changed = Fact.objects.filter(pk__in=ids).update(
            **publishing.publishing_update(values, now), lock_version=F("lock_version") + 1, updated_at=now
        )
        # The revision stores each fact's people and each citation's str(), which names its
        # source: load them up front (titles only), not with queries per fact and citation.
        cited = Citation.objects.select_related("source").defer("source__content")
        facts = Fact.objects.filter(pk__in=ids).prefetch_related("people", Prefetch("citations", queryset=cited))
        for fact in facts:
            reversion.add_to_revision(fact)
    return report
