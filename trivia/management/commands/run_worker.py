"""`make worker`: run background jobs until stopped, after picking up those a dead worker left behind."""

from django.core.management.base import CommandError
from django.db import DatabaseError
from django_tasks_db.management.commands import db_worker

from trivia.jobs import lifecycle


class Command(db_worker.Command):
    help = (
        "Run background jobs (exports, draft facts from big sources) from the queue in the database until "
        "stopped (SIGTERM finishes the current job first). Before starting, jobs whose worker died are queued "
        "again or failed with the reason, and expired export files are deleted. Options are django-tasks-db's "
        "db_worker's."
    )

    def handle(self, *args, **options):
        try:
            recovered = lifecycle.recover_stale()
            pruned = lifecycle.prune_expired()
        except DatabaseError as exc:
            raise CommandError(
                f"The job tables cannot be read ({exc}). Is the database migrated (`make release`)?"
            ) from exc
        if recovered or pruned:
            self.stdout.write(
                f"Recovered {recovered} job(s) whose worker had stopped; deleted {pruned} expired export file(s)."
            )
        return super().handle(*args, **options)
