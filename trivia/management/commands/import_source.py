from pathlib import Path

from django.core.management.base import CommandError

from trivia.management.base import TriviaCommand
from trivia.models import Source
from trivia.services import importing


class Command(TriviaCommand):
    help = (
        "Store a UTF-8 text document as a new Source and create one draft fact per paragraph, each citing "
        "exactly its paragraph, under the “Unsorted” topic. The film is created if missing. All or nothing; "
        f"documents over {importing.MAX_DOCUMENT_BYTES:,} bytes, empty, binary, non-UTF-8 or "
        "already imported are refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The document: a UTF-8 text file (a BOM, CRLF or CR are fine).")
        parser.add_argument("--title", required=True, help="Title of the source, e.g. “Sight and Sound, 1948”.")
        parser.add_argument("--film", required=True, metavar="TITLE", help="The film the facts are about.")
        parser.add_argument("--year", required=True, help="The film's year of first release, e.g. 1948.")
        parser.add_argument(
            "--kind",
            default=Source.Kind.DOCUMENT,
            choices=Source.Kind.values,
            help=f"What the source is. Default: {Source.Kind.DOCUMENT}.",
        )
        parser.add_argument("--url", default="", help="Where the document comes from (http:// or https:// only).")

    def handle(self, *args, path, title, film, year, kind, url, **options):
        try:
            content = importing.read_document_file(path)
            report = importing.import_source_document(
                content, title=title, film_title=film, year=year, kind=kind, url=url
            )
        except importing.SourceImportError as exc:
            raise CommandError(f"{exc} Nothing was written.") from None
        lines = report.lines()
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
