from django.core.management.base import CommandError
from django.db import connections

from trivia import fact_counts, fact_tokens, integrity
from trivia.management.base import TriviaCommand


class Command(TriviaCommand):
    help = (
        "Check every citation flagged sound against its source's text (the quote at its offsets, the paragraph "
        "its locator names), every published fact for at least one sound citation, and the counts of published facts "
        "kept per film and topic, and every fact's display token. Lists each problem; exits 1 "
        "if there is any. Citations flagged broken are counted, not failed: editors are already told about them."
    )

    def handle(self, *args, **options):
        report = integrity.audit(options["database"])
        miscounted = fact_counts.problems(options["database"])
        untokened = fact_tokens.problems(options["database"])
        for problem in report.problems + miscounted + untokened:
            self.stderr.write(problem)
        summary = (
            f"Checked {report.citations:,} citation(s) of {report.sources:,} source(s) and "
            f"{report.published_facts:,} published fact(s); {report.broken:,} flagged broken for editors."
        )
        if miscounted:
            raise CommandError(
                f"{summary} {len(miscounted):,} kept count(s) of published facts differ from the facts "
                "(fact_counts.recount puts them right)."
            )
        if untokened:
            raise CommandError(
                f"{summary} {len(untokened):,} problem(s) with the facts' display tokens "
                "(`migrate` puts back the triggers and one token per fact)."
            )
        if report.problems:
            raise CommandError(
                f"{summary} {len(report.unsound):,} citation(s) are not on their quote and "
                f"{len(report.unsupported):,} published fact(s) have no sound citation."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary} Every sound citation is on its quote. The kept counts of published facts match; "
                "every fact has its display token."
            )
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default="default",
            choices=list(connections),  # an unknown name is one line and exit 1, not a traceback
            help="The database to check. Default: default.",
        )
