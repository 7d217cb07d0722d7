import os
import sys
from pathlib import Path

from django.core.management.base import CommandError

from trivia import csv_export, exports
from trivia.management.base import TriviaCommand


class Command(TriviaCommand):
    help = (
        "Write the trivia database (or one film's part of it) as a JSON fixture in dumpdata's format "
        "(natural keys, indent 2, deterministic order). Load it anywhere with `manage.py loaddata FILE`. "
        "With --format csv: the facts for spreadsheets, one row per citation."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path, help="File to write (UTF-8). Default: standard output.")
        parser.add_argument(
            "--film",
            metavar="SLUG",
            help="Only this film: its credits and facts, and the people, topics and sources they refer to.",
        )
        parser.add_argument(
            "--published-only",
            action="store_true",
            help="Leave out draft facts and their citations.",
        )
        parser.add_argument(
            "--format",
            choices=["json", "csv"],
            default="json",
            help="json: a fixture (the default). csv: the facts, one row per citation, UTF-8 with a header row.",
        )

    def handle(self, *args, output, film, published_only, format, **options):
        try:
            if film is not None:
                selection = exports.select_film_by_slug(film, published_only=published_only)
            else:
                selection = exports.select_everything(published_only=published_only)
        except exports.ExportError as exc:
            raise CommandError(str(exc)) from None

        rows = []

        def write(stream):
            if format == "csv":
                rows.append(csv_export.write_csv(selection.facts, stream))
            else:
                exports.write_fixture(selection, stream)

        if output is None:
            # The export itself is the output: nothing else may be written to stdout.
            self.stdout.ending = None
            try:
                write(self.stdout)
            except BrokenPipeError:
                # The reader stopped early (`| head`): not a failure of the export.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return

        # Written beside the target and renamed into place, so a failed export never leaves
        # a truncated file where a good one is expected.
        partial = output.with_name(f".{output.name}.partial")
        try:
            # The csv module writes its own CRLF line ends; a fixture has \n.
            with open(partial, "w", encoding="utf-8", newline="" if format == "csv" else "\n") as handle:
                write(handle)
            os.replace(partial, output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        if format == "csv":
            summary = f"{rows[0]} rows (one per citation) of {selection.facts.count()} facts"
        else:
            summary = selection.summary()
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}: {summary}."))
