"""Readable fact keys: a fact's permanent URL made from its text (`heckroth-120-paintings`), unique.

The fact form (a blank key) and imported drafts use it. Keys already stored are never
changed: random keys of older facts stay valid, and fixtures and the fast loader keep theirs.
"""

import re
from functools import lru_cache

from django.utils.text import slugify

from .. import search
from ..demo.planning import DEMO_PREFIX
from ..models import Fact

# Words a key is made of, at most, and the length of the key before any "-2" suffix.
KEY_WORDS = 4
KEY_BASE_LENGTH = 48
# Suffixes looked up with a key at once ("-2" … "-10"); more namesakes are rare and cost a query each.
VARIANTS = 10
# The key of a text with no usable words (all punctuation, or a script slugify drops).
FALLBACK_KEY = "fact"
# Words that say nothing about which fact this is (every fact is about a film).
STOP_WORDS = frozenset(
    """a about after again all also an and any are as at be because been before being but by can could did do
    does during each even for from had has have he her here him his how i if in into is it its just more most my
    no not now of off on once only or other our out over own same she should so some such than that the their
    them then there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your film films movie movies""".split()
)
NAME_OR_WORD = re.compile(r"[^\W_]+")
# A key speaks for the start of a text: a long paragraph's later words are not read.
SCANNED_WORDS = 40
SENTENCE_STOP = re.compile(r"[.!?:;]")


def key_base(fact_text: str) -> str:
    """The readable part of a key: the fact's most telling words (names, numbers, long words) in their order.

    "The title ballet sequence used more than 120 paintings by Hein Heckroth." gives
    "120-paintings-hein-heckroth".
    """
    candidates = []  # (weight, length, position, word)
    previous_end = 0
    for position, match in enumerate(NAME_OR_WORD.finditer(fact_text)):
        if position == SCANNED_WORDS:
            break
        raw = match.group()
        starts_sentence = position == 0 or SENTENCE_STOP.search(fact_text, previous_end, match.start()) is not None
        previous_end = match.end()
        word = _plain(raw)
        if not word or word in STOP_WORDS or (len(word) < 3 and not word.isdigit()):
            continue
        weight = 2 if raw.isdigit() or (raw[0].isupper() and not starts_sentence) else 1
        candidates.append((weight, len(word), position, word))
    chosen = sorted(candidates, key=lambda c: (-c[0], -c[1], c[2]))
    words = []
    for _, _, _, word in sorted(_distinct(chosen)[:KEY_WORDS], key=lambda c: c[2]):
        if len("-".join([*words, word])) > KEY_BASE_LENGTH:
            break
        words.append(word)
    base = "-".join(words) or FALLBACK_KEY
    # Demo data owns its prefix and replaces those rows on every run: an editor's fact must not look like one.
    return f"{FALLBACK_KEY}-{base}" if base.startswith(DEMO_PREFIX.rstrip("-")) else base


@lru_cache(maxsize=8192)
def _plain(word: str) -> str:
    """A word as a key holds it: folded (case, accents, ß → ss), ASCII letters and digits only."""
    return slugify(search.fold(word))


def _distinct(candidates: list) -> list:
    seen, result = set(), []
    for candidate in candidates:
        if candidate[3] not in seen:
            seen.add(candidate[3])
            result.append(candidate)
    return result


def _variants(base: str) -> list[str]:
    return [base] + [f"{base}-{number}" for number in range(2, VARIANTS + 1)]


def readable_fact_keys(texts: list[str]) -> list[str]:
    """A readable key for each text, unique among facts and within the list ("-2", "-3"… when taken).

    Which keys are taken is asked by exact key (the unique index answers), one query per 100
    distinct keys; only a key with more than `VARIANTS` namesakes costs a query of its own.
    Two editors saving at once may pick the same key: the database's unique constraint
    refuses the second save, which is then made again and picks the next free key
    (trivia/admin/base.py).
    """
    bases = [key_base(fact_text) for fact_text in texts]
    distinct = sorted(set(bases))
    taken: set[str] = set()
    for index in range(0, len(distinct), 100):
        wanted = [key for base in distinct[index : index + 100] for key in _variants(base)]
        taken.update(Fact.objects.filter(key__in=wanted).values_list("key", flat=True))
    next_number: dict[str, int] = {}
    keys = []
    for base in bases:
        key = next((candidate for candidate in _variants(base) if candidate not in taken), None)
        if key is None:
            if base not in next_number:
                taken.update(Fact.objects.filter(key__startswith=f"{base}-").values_list("key", flat=True))
            number = next_number.get(base, VARIANTS + 1)
            while f"{base}-{number}" in taken:
                number += 1
            next_number[base] = number + 1
            key = f"{base}-{number}"
        taken.add(key)
        keys.append(key)
    return keys


def readable_fact_key(fact_text: str) -> str:
    return readable_fact_keys([fact_text])[0]
