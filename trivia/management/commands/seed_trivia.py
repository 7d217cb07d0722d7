from pathlib import Path

from django.core.management.base import CommandError

from trivia.management.base import TriviaCommand
from trivia.services.seeding import DEFAULT_SEED_SPEC, SeedError, seed_from_spec


class Command(TriviaCommand):
    help = (
        "Store the seed document as a Source and build The Red Shoes (1948), its people, topics and "
        "cited facts from the seed spec. Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--spec",
            type=Path,
            default=DEFAULT_SEED_SPEC,
            help=f"Seed spec (TOML) to apply. Default: {DEFAULT_SEED_SPEC.name}",
        )

    def handle(self, *args, spec, **options):
        try:
            report = seed_from_spec(spec)
        except SeedError as exc:
            raise CommandError(f"Seeding failed, nothing was written. {exc}") from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
