"""An editor for the readers scenario: saves one published fact a second until stopped.

Run by `bench/readers.py` beside the server (same database): `python bench/editor.py
[--every 1.0]`. Each save is what the admin does when an editor saves a fact's form: the
optimistic lock claimed, the fact saved (signals refresh its search document), one
revision recorded. Any save moves the content version, so every page's ETag changes and
the next request for any page renders it again. On SIGTERM it prints how many saves it
made and exits.
"""

import argparse
import os
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redshoes.settings")

import django  # noqa: E402

django.setup()

import reversion  # noqa: E402
from django.db import transaction  # noqa: E402

from trivia.models import Fact  # noqa: E402
from trivia.services import editing  # noqa: E402


def save_one(pk: int) -> None:
    with transaction.atomic(), reversion.create_revision():
        fact = Fact.objects.get(pk=pk)
        fact.lock_version = editing.claim_lock_version(Fact, pk, fact.lock_version)
        fact.save()
        reversion.set_comment("Saved by the benchmark's editor.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--every", type=float, default=1.0, help="Seconds between saves.")
    args = parser.parse_args()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    ids = list(Fact.objects.published().values_list("pk", flat=True))
    rng = random.Random(16)
    saves = 0
    next_save = time.monotonic()
    while not stopping:
        save_one(rng.choice(ids))
        saves += 1
        next_save += args.every
        time.sleep(max(0.0, next_save - time.monotonic()))
    print(f"saves={saves}", flush=True)


if __name__ == "__main__":
    main()
