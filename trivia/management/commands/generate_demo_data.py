import time

from django.core.management.base import CommandError

from trivia.demo.planning import DEFAULT_BIG_FILM_FACTS
from trivia.demo.writing import DemoDataError, generate_demo_data
from trivia.management.base import TriviaCommand


class Command(TriviaCommand):
    help = (
        "Replace the demo data (every row whose slug or key starts with 'demo-') with N synthetic films and "
        "M published facts, each citing a real passage of a generated source. The same --seed gives the same "
        "data. The seeded Red Shoes data is never touched. --films 0 --facts 0 just removes the demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--films", type=int, required=True, help="How many films to invent.")
        parser.add_argument("--facts", type=int, required=True, help="How many facts, across all the films.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed; the same seed gives the same data.")
        parser.add_argument(
            "--big-film-facts",
            type=int,
            default=DEFAULT_BIG_FILM_FACTS,
            help=f"Facts on the first film, the big one (at most half of --facts). Default {DEFAULT_BIG_FILM_FACTS}.",
        )

    def handle(self, *args, films, facts, seed, big_film_facts, **options):
        started = time.perf_counter()
        try:
            report = generate_demo_data(films=films, facts=facts, seed=seed, big_film_facts=big_film_facts)
        except DemoDataError as exc:
            raise CommandError(f"No demo data was written. {exc}") from None
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"{report.summary()} ({elapsed:.1f} s)"))
