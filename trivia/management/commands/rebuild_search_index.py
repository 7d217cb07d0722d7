from django.core.management.base import CommandError

from trivia.management.base import TriviaCommand
from trivia.models import Fact
from trivia.search import rebuild_search_index


class Command(TriviaCommand):
    help = (
        "Recompute every fact's search document (its text, its people's names and its cited quotes, folded) and "
        "rebuild the full-text index. Run it after writes that bypass signals, such as bulk_create or raw SQL; "
        "it is safe to run at any time and changes nothing the site shows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Facts read and written per batch. Default 1000."
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1, not {batch_size}.")
        changed = rebuild_search_index(batch_size=batch_size)
        total = Fact.objects.count()
        self.stdout.write(
            self.style.SUCCESS(f"Search index rebuilt: {changed} of {total} facts had an out-of-date search document.")
        )
