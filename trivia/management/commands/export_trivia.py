import os
from pathlib import Path

from django.core.management.base import CommandError

from trivia import exports
from trivia.management.base import TriviaCommand


class Command(TriviaCommand):
    help = (
        "Write the trivia database (or one film's part of it) as a JSON fixture in dumpdata's format "
        "(natural keys, indent 2, deterministic order). Load it anywhere with `manage.py loaddata FILE`."
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

    def handle(self, *args, output, film, published_only, **options):
        try:
            if film is not None:
                selection = exports.select_film_by_slug(film, published_only=published_only)
            else:
                selection = exports.select_everything(published_only=published_only)
        except exports.ExportError as exc:
            raise CommandError(str(exc)) from None

        if output is None:
            # The fixture itself is the output: nothing else may be written to stdout.
            self.stdout.ending = None
            exports.write_fixture(selection, self.stdout)
            return

        # Written beside the target and renamed into place, so a failed export never leaves
        # a truncated fixture where a good one is expected.
        partial = output.with_name(f".{output.name}.partial")
        try:
            with open(partial, "w", encoding="utf-8", newline="\n") as handle:
                exports.write_fixture(selection, handle)
            os.replace(partial, output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}: {selection.summary()}."))
