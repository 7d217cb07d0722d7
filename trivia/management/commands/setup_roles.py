from django.core.management.base import CommandError

from trivia.management.base import TriviaCommand
from trivia.services.roles import EDITOR_PERMISSIONS, EDITORS_GROUP, RolesError, ensure_editors_group


class Command(TriviaCommand):
    help = (
        f"Create or correct the {EDITORS_GROUP!r} group: add, change and view films, people, credits, topics, "
        "facts, citations and sources; delete facts and citations; nothing else (no users, groups, "
        "permissions or source deletion). Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            report = ensure_editors_group()
        except RolesError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
        if options["verbosity"] > 1:
            self.stdout.write("Permissions: " + ", ".join(EDITOR_PERMISSIONS))
