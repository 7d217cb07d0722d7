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


# --- The database's half of the lock: `lock_version` never moves backwards ---------------
# History does not store `lock_version` (a restored row would fall back to version 1 and
# an edit form opened before the restore could save over it), and reversion mutes signals
# while it previews a revert. So the database keeps the rule, for every writer.
LOCKED_TABLES = ("trivia_fact", "trivia_source")
LOCK_MIGRATION = "0005_lock_version_never_decreases"


def _lock_trigger(table: str) -> str:
    return f"{table}_lock_never_decreases"


def install_lock_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION trivia_lock_never_decreases() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN IF NEW.lock_version < OLD.lock_version THEN NEW.lock_version := OLD.lock_version; END IF; "
                "RETURN NEW; END $$"
            )
        for table in LOCKED_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f'CREATE OR REPLACE TRIGGER "{_lock_trigger(table)}" BEFORE UPDATE ON "{table}" '
                    "FOR EACH ROW EXECUTE FUNCTION trivia_lock_never_decreases()"
                )
            else:  # SQLite cannot change NEW: put the old version back after the update
                cursor.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{_lock_trigger(table)}" AFTER UPDATE OF lock_version ON "{table}" '
                    f'WHEN NEW.lock_version < OLD.lock_version BEGIN UPDATE "{table}" '
                    "SET lock_version = OLD.lock_version WHERE id = NEW.id; END"
                )


def remove_lock_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for table in LOCKED_TABLES:
            on = f' ON "{table}"' if connection.vendor == "postgresql" else ""
            cursor.execute(f'DROP TRIGGER IF EXISTS "{_lock_trigger(table)}"{on}')
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS trivia_lock_never_decreases()")


def ensure_lock_triggers(sender, using, **kwargs):
    """`post_migrate`: a SQLite table rebuild drops its triggers; put them back once migrated that far."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if ("trivia", LOCK_MIGRATION) in MigrationRecorder(connection).applied_migrations():
        install_lock_triggers(connection)
