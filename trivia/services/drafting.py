"""Drafting facts from a source's passages: selected passages, look-alike facts, paragraph drafts.

The source workbench and the fact form turn a passage an editor selected into a cited
draft. The rules they share live here: a selection checked against the text it was made
on, the facts a new one may repeat, and when an imported paragraph draft has been split
into facts and can go. (The key made from a fact's text is `services.keys`.)
"""

import difflib
from dataclasses import dataclass
from functools import reduce
from operator import or_

import reversion
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length

from .. import integrity, search, text
from ..models import Citation, Fact, Source
from .importing import UNSORTED_TOPIC_SLUG

# --- A passage selected in the workbench ---------------------------------------------------------

# How much of the source's SHA-256 a selection carries to say which text its offsets count in.
VERSION_LENGTH = 16


class SelectionError(Exception):
    """A selected passage cannot be cited as it stands; the message tells the editor what to do."""


@dataclass(frozen=True)
class Passage:
    source: Source
    start: int
    end: int
    quote: str
    paragraph: int


def text_version(source: Source) -> str:
    return source.sha256[:VERSION_LENGTH]


def selected_passage(source: Source, start: int, end: int, version: str) -> Passage:
    """The passage `[start:end]` of `source`, as selected on the text whose version is `version`.

    Checked again here, whatever the browser sent: the text must still be the one the
    offsets were counted in, and the quote must sit at them (trivia/integrity.py's rule).
    """
    content = source.content
    if version != text_version(source):
        raise SelectionError(
            f"The text of “{source}” changed after the passage was selected, so the selection may point at other "
            "words. Open the workbench again and select it anew."
        )
    if not 0 <= start < end <= len(content):
        raise SelectionError(f"The selection {start}–{end} is not inside “{source}” ({len(content):,} characters).")
    quote = content[start:end]
    if not quote.strip():
        raise SelectionError("The selection holds only spaces; select the words the fact rests on.")
    problems = integrity.quote_problems(content, quote, start, end)
    if problems:
        raise SelectionError(" ".join(problems.values()))
    return Passage(source, start, end, quote, integrity.paragraph_of(content, start))


# --- Facts a new one may repeat -----------------------------------------------------------------

# Word-sequence similarity (difflib's ratio) from which two facts of one film read as the same claim.
NEAR_REPEAT = 0.8
# Texts of up to this many words count as repeats only when their words are the same.
SHORT_TEXT_WORDS = 3
LOOK_ALIKE_LIMIT = 5


@dataclass(frozen=True)
class LookAlike:
    pk: int
    key: str
    text: str
    is_draft: bool


@dataclass(frozen=True)
class SharedPassage:
    source_title: str
    quote: str
    facts: tuple[LookAlike, ...]


@dataclass
class LookAlikes:
    passages: list[SharedPassage]
    similar: list[LookAlike]

    def __bool__(self) -> bool:
        return bool(self.passages or self.similar)


def _look_alike(fact) -> LookAlike:
    return LookAlike(fact.pk, fact.key, fact.text, fact.status == Fact.Status.DRAFT)


def facts_citing(passages: list[tuple[int, int, int]], exclude_fact_id=None) -> list[SharedPassage]:
    """For each (source id, start, end), the other facts whose sound citation is exactly that passage."""
    if not passages:
        return []
    exact = reduce(or_, (Q(source_id=s, start=a, end=b) for s, a, b in passages))
    citations = (
        Citation.objects.filter(exact, is_broken=False)
        .exclude(fact_id=exclude_fact_id)
        .select_related("fact", "source")
        .only("quote", "start", "end", "source__title", "fact__key", "fact__text", "fact__status")
        .order_by("source_id", "start", "end", "fact_id")
    )
    shared: dict[tuple, list] = {}
    for citation in citations:
        shared.setdefault((citation.source.title, citation.quote), []).append(_look_alike(citation.fact))
    return [SharedPassage(title, quote, tuple(facts[:LOOK_ALIKE_LIMIT])) for (title, quote), facts in shared.items()]


def similar_facts(film_id, fact_text: str, exclude_fact_id=None) -> list[LookAlike]:
    """Facts of the same film whose text nearly repeats `fact_text` (the closest first).

    Compared word by word after folding (case, accents, punctuation), in Python over the
    film's facts of a comparable length: one query, whatever the size of the database.
    """
    words = search.words(fact_text)
    if film_id is None or not words:
        return []
    length = len(fact_text)
    candidates = (
        Fact.objects.filter(film_id=film_id)
        .exclude(pk=exclude_fact_id)
        .alias(length=Length("text"))
        .filter(length__gte=length // 2, length__lte=length * 2)
        .only("key", "text", "status")
    )
    found = []
    for fact in candidates.iterator(chunk_size=2000):
        other = search.words(fact.text)
        if len(words) <= SHORT_TEXT_WORDS or len(other) <= SHORT_TEXT_WORDS:
            score = 1.0 if other == words else 0.0
        else:
            matcher = difflib.SequenceMatcher(None, words, other, autojunk=False)
            # The cheap upper bounds first: most of a film's facts fail them.
            bounded = matcher.real_quick_ratio() >= NEAR_REPEAT and matcher.quick_ratio() >= NEAR_REPEAT
            score = matcher.ratio() if bounded else 0.0
        if score >= NEAR_REPEAT:
            found.append((score, fact))
    found.sort(key=lambda pair: (-pair[0], pair[1].pk))
    return [_look_alike(fact) for _, fact in found[:LOOK_ALIKE_LIMIT]]


def look_alikes(fact: Fact, passages: list[tuple[int, int, int]], *, text_changed: bool) -> LookAlikes:
    """What a fact about to be saved may repeat: other facts citing its new passages, or saying nearly the same."""
    return LookAlikes(
        passages=facts_citing(passages, exclude_fact_id=fact.pk),
        similar=similar_facts(fact.film_id, fact.text, exclude_fact_id=fact.pk) if text_changed else [],
    )


# --- Imported paragraph drafts ------------------------------------------------------------------


class DraftingError(Exception):
    """A drafting step cannot be done as asked; the message says why. Nothing was written."""


def is_paragraph_draft(status: str, topic_slug: str, cited: tuple[int, int], paragraph: text.Paragraph) -> bool:
    """An imported draft waiting to be split: a draft under "Unsorted" citing exactly one whole paragraph."""
    return (
        status == Fact.Status.DRAFT and topic_slug == UNSORTED_TOPIC_SLUG and cited == (paragraph.start, paragraph.end)
    )


def sentence_coverage(content: str, paragraph: text.Paragraph, other_spans) -> tuple[int, int]:
    """(sentences, sentences that another citation touches) of a paragraph."""
    sentences = text.sentence_spans(content, paragraph.start, paragraph.end)
    covered = sum(1 for a, b in sentences if any(start < b and end > a for start, end in other_spans))
    return len(sentences), covered


@transaction.atomic
def delete_split_paragraph_draft(fact_id: int, *, user=None) -> Fact:
    """Delete an imported paragraph draft once other facts cite every one of its sentences.

    Recorded like a deletion in the admin (the last version, by `user`), so "Recover deleted
    facts" brings it back. Refuses, with the reason, a fact that is not (or no longer) such a draft.
    """
    fact = Fact.objects.select_related("topic").filter(pk=fact_id).first()
    if fact is None:
        raise DraftingError("That draft no longer exists; someone may have deleted it already.")
    citations = list(fact.citations.select_related("source"))
    if len(citations) != 1 or citations[0].is_broken:
        raise DraftingError(f"“{fact}” is not an imported paragraph draft (it cites more or other than one paragraph).")
    citation = citations[0]
    content = citation.source.content
    paragraph = text.paragraphs(content)[integrity.paragraph_of(content, citation.start) - 1]
    if not is_paragraph_draft(fact.status, fact.topic.slug, (citation.start, citation.end), paragraph):
        raise DraftingError(f"“{fact}” is no longer an imported paragraph draft: it was published, moved or edited.")
    others = (
        Citation.objects.filter(
            source=citation.source, is_broken=False, start__lt=paragraph.end, end__gt=paragraph.start
        )
        .exclude(fact=fact)
        .values_list("start", "end")
    )
    total, covered = sentence_coverage(content, paragraph, list(others))
    if covered < total:
        raise DraftingError(
            f"Other facts cite {covered} of the {total} sentences of paragraph {paragraph.number}; "
            "cite the rest (or delete the draft from its own page) first."
        )
    with reversion.create_revision():
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(f"Deleted: paragraph {paragraph.number} draft, split into facts in the workbench")
        reversion.add_to_revision(fact)
    fact.delete()
    return fact
