"""A source text edit re-anchors its citations, or flags them; it never moves one to a look-alike."""

import pytest
from django.urls import reverse

from tests.admin_forms import source_form_data
from tests.factories import CitationFactory, SourceFactory
from trivia import text
from trivia.models import Citation, Source
from trivia.services.anchoring import reanchor_citations
from trivia.services.roles import create_editor

pytestmark = pytest.mark.django_db

ORIGINAL = (
    "The studio doubted the picture from the first day.\n\n"
    "A painter designed every backdrop by hand.\n\n"
    "The lead actor learned to dance in six months."
)


def cite(source, quote, occurrence=0):
    start = text.find_occurrences(source.content, quote)[occurrence]
    return CitationFactory(source=source, quote=quote, start=start, end=start + len(quote))


def edit(source, new_content):
    """Change the text as an editor would, then re-anchor against the text before the edit."""
    previous = source.content
    source.content = new_content
    source.save()
    return reanchor_citations(source, previous_content=previous)


def test_text_added_before_a_quote_moves_its_citation_with_it():
    source = SourceFactory(content=ORIGINAL)
    citation = cite(source, "A painter designed every backdrop")
    report = edit(source, "A new opening paragraph.\n\n" + ORIGINAL)
    citation.refresh_from_db()
    assert source.content[citation.start : citation.end] == citation.quote
    assert citation.start == len("A new opening paragraph.\n\n") + ORIGINAL.index("A painter")
    assert citation.paragraph == 3
    assert not citation.is_broken
    assert report.moved == [citation]


def test_a_quote_deleted_from_the_source_is_marked_broken_and_keeps_its_offsets():
    source = SourceFactory(content=ORIGINAL)
    citation = cite(source, "A painter designed every backdrop")
    before = (citation.start, citation.end)
    report = edit(source, ORIGINAL.replace("A painter designed every backdrop", "Many hands painted the backdrops"))
    citation.refresh_from_db()
    assert citation.is_broken
    assert citation.broken_reason == "The quote no longer occurs in the source."
    assert (citation.start, citation.end) == before
    assert [c for c, _ in report.broken] == [citation]


def test_a_quote_made_ambiguous_by_editing_its_own_passage_is_marked_broken():
    source = SourceFactory(content=ORIGINAL)
    citation = cite(source, "by hand")
    edit(source, ORIGINAL.replace("every backdrop by hand.", "every backdrop by hand, and the curtain by hand."))
    citation.refresh_from_db()
    assert citation.is_broken
    assert (
        citation.broken_reason
        == "The quote now occurs 2 times in the source (paragraphs 2); an editor must choose one."
    )


def test_a_quote_repeated_elsewhere_stays_on_its_untouched_passage():
    """The same words added in another paragraph are a look-alike; the citation stays where it was."""
    source = SourceFactory(content=ORIGINAL)
    citation = cite(source, "by hand")
    start = citation.start
    edit(source, ORIGINAL + "\n\nThe costumes were also sewn by hand.")
    citation.refresh_from_db()
    assert not citation.is_broken
    assert citation.start == start


def test_a_citation_is_never_moved_to_a_look_alike_when_its_passage_is_rewritten():
    content = ORIGINAL + "\n\nHe said the backdrops were painted by hand."
    source = SourceFactory(content=content)
    citation = cite(source, "by hand", occurrence=0)  # paragraph 2's "by hand"
    edit(source, content.replace("every backdrop by hand.", "every backdrop with a brush."))
    citation.refresh_from_db()
    assert citation.is_broken
    assert "which may be a different passage" in citation.broken_reason
    assert citation.paragraph == 2  # still where it was, not on paragraph 4's look-alike


def test_a_moved_paragraph_takes_its_unique_quote_with_it():
    source = SourceFactory(content=ORIGINAL)
    citation = cite(source, "A painter designed every backdrop by hand.")
    first, second, third = ORIGINAL.split("\n\n")
    edit(source, "\n\n".join([first, third, second]))
    citation.refresh_from_db()
    assert not citation.is_broken
    assert source.content[citation.start : citation.end] == citation.quote
    assert citation.paragraph == 3


def test_a_broken_citation_is_repaired_when_its_quote_is_back_in_place():
    source = SourceFactory(content=ORIGINAL)
    citation = cite(source, "A painter designed every backdrop")
    edit(source, ORIGINAL.replace("A painter", "A sculptor"))
    citation.refresh_from_db()
    assert citation.is_broken
    report = edit(source, ORIGINAL)
    citation.refresh_from_db()
    assert not citation.is_broken and citation.broken_reason == ""
    assert report.repaired == [citation]


def test_without_the_previous_text_a_quote_still_in_place_is_kept():
    source = SourceFactory(content=ORIGINAL)
    citation = cite(source, "A painter designed every backdrop")
    Source.objects.filter(pk=source.pk).update(content=ORIGINAL.replace("six months", "seven months"))
    source.refresh_from_db()
    report = reanchor_citations(source)
    citation.refresh_from_db()
    assert not citation.is_broken
    assert report.unchanged == 1


def test_a_typo_fix_in_the_seed_source_leaves_every_other_citation_sound(seeded):
    source = Source.objects.get(slug="the-red-shoes-1948-trivia")
    old_sha = source.sha256
    count = source.citations.count()
    report = edit(source, source.content.replace("massively over budget", "massively over its budget", 1))
    assert source.sha256 != old_sha
    assert source.sha256 == text.sha256_hex(source.content)
    assert len(report.broken) <= 1  # at most a quote that contained the corrected words
    for citation in Citation.objects.filter(source=source, is_broken=False).select_related("source"):
        assert citation.source.content[citation.start : citation.end] == citation.quote
    assert Citation.objects.filter(source=source).count() == count


def test_editing_a_source_in_the_admin_flags_broken_citations_everywhere_editors_and_readers_look(client):
    client.force_login(create_editor("edna", "a-long-enough-passphrase"))
    source = SourceFactory(title="Studio notes", content=ORIGINAL)
    kept = cite(source, "The lead actor learned to dance")
    broken = cite(source, "A painter designed every backdrop")
    new_content = ORIGINAL.replace("A painter designed every backdrop", "A team painted the backdrops")

    # Breaking a published fact's citation is held for confirmation (tests/test_admin_source_edits.py).
    response = client.post(
        reverse("admin:trivia_source_change", args=[source.pk]),
        source_form_data(source, content=new_content.replace("\n", "\r\n"), confirm_text_change="1"),
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert "The text changed: 1 citation(s) re-anchored, 0 unchanged, 1 marked broken." in messages
    assert any("The quote no longer occurs in the source." in m for m in messages)
    source.refresh_from_db()
    assert source.content == new_content and source.sha256 == text.sha256_hex(new_content)
    kept.refresh_from_db()
    assert not kept.is_broken

    listed = client.get(reverse("admin:trivia_fact_changelist") + "?broken=yes")
    assert list(listed.context["cl"].result_list) == [broken.fact]
    citations = client.get(reverse("admin:trivia_citation_changelist") + "?is_broken__exact=1")
    assert list(citations.context["cl"].result_list) == [Citation.objects.get(pk=broken.pk)]

    client.logout()
    public = client.get(broken.fact.get_absolute_url()).content.decode()
    assert "Needs attention:" in public
    assert "The quote no longer occurs in the source." in public
    assert f'href="{Citation.objects.get(pk=broken.pk).get_absolute_url()}"' not in public


def test_re_anchored_and_broken_citations_are_recorded_in_history():
    from reversion.models import Version

    source = SourceFactory(content=ORIGINAL)
    moved = cite(source, "The lead actor learned to dance")
    broken = cite(source, "A painter designed every backdrop")
    edit(source, "Opening.\n\n" + ORIGINAL.replace("A painter designed every backdrop", "Painters made the backdrops"))
    moved.refresh_from_db()
    latest_moved = Version.objects.get_for_object(moved).first()
    assert (latest_moved.field_dict["start"], latest_moved.field_dict["paragraph"]) == (moved.start, 4)
    latest_broken = Version.objects.get_for_object(broken).first()
    assert latest_broken.field_dict["is_broken"] is True
    assert latest_broken.revision.comment == f"Citations re-anchored after an edit of source {source.slug!r}"
