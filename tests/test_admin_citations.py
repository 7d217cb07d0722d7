"""Citations in the admin: the editor pastes a quote and the offsets are found for them."""

import pytest
from django.urls import reverse

from tests.admin_forms import fact_form_data
from tests.factories import CitationFactory, FactFactory, FilmFactory, SourceFactory, TopicFactory
from trivia.models import Citation, Fact
from trivia.services.roles import create_editor

pytestmark = pytest.mark.django_db

CONTENT = (
    "The studio doubted the red shoes from the first day.\n\n"
    "A painter designed the backdrops; the red shoes were made by hand.\n\n"
    "She never danced in “the red shoes” again."
)


@pytest.fixture
def editor_client(client):
    client.force_login(create_editor("edna", "a-long-enough-passphrase"))
    return client


@pytest.fixture
def source():
    return SourceFactory(title="Studio notes", content=CONTENT)


def add_fact(client, source, *citation):
    film, topic = FilmFactory(), TopicFactory()
    data = fact_form_data(
        film=film.pk, topic=topic.pk, text="A fact for the test.", new_citations=[(source, *citation)]
    )
    return client.post(reverse("admin:trivia_fact_add"), data)


def test_a_pasted_quote_is_anchored_with_computed_offsets(editor_client, source):
    quote = "A painter designed the backdrops"
    response = add_fact(editor_client, source, quote)
    assert response.status_code == 302, response.content.decode()
    citation = Citation.objects.get()
    assert (citation.start, citation.end) == (CONTENT.index(quote), CONTENT.index(quote) + len(quote))
    assert source.content[citation.start : citation.end] == quote
    assert citation.paragraph == 2
    assert not citation.is_broken


def test_a_quote_not_in_the_source_is_refused_and_nothing_saved(editor_client, source):
    response = add_fact(editor_client, source, "A sculptor designed the backdrops")
    assert response.status_code == 200
    assert "This quote does not occur in “Studio notes”" in response.content.decode()
    assert not Fact.objects.exists()
    assert not Citation.objects.exists()


def test_a_quote_with_other_quotation_marks_shows_how_the_source_has_it(editor_client, source):
    response = add_fact(editor_client, source, 'She never danced in "the red shoes" again.')
    assert response.status_code == 200
    assert "The source has it with different punctuation or capitals: “She never danced in “the red shoes” again.”" in (
        response.content.decode()
    )


def test_a_quote_found_several_times_asks_which_paragraph(editor_client, source):
    response = add_fact(editor_client, source, "the red shoes")
    assert response.status_code == 200
    assert "This quote occurs 3 times in “Studio notes” (paragraphs 1, 2, 3)" in response.content.decode()
    assert not Citation.objects.exists()


def test_naming_the_paragraph_picks_that_occurrence(editor_client, source):
    response = add_fact(editor_client, source, "the red shoes", 2)
    assert response.status_code == 302
    citation = Citation.objects.get()
    second_paragraph = CONTENT.index("A painter")
    assert citation.start == CONTENT.index("the red shoes", second_paragraph)
    assert citation.paragraph == 2


def test_naming_the_wrong_paragraph_says_where_the_quote_is(editor_client, source):
    response = add_fact(editor_client, source, "A painter designed", 3)
    assert response.status_code == 200
    assert "The quote is not in paragraph 3 of “Studio notes”; it occurs in paragraph 2." in response.content.decode()


def test_changing_a_quote_re_anchors_the_citation(editor_client, source):
    citation = CitationFactory(source=source, quote="The studio doubted")
    fact = citation.fact
    data = fact_form_data(fact, citation_changes={citation.pk: {"quote": "she never"}})
    response = editor_client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), data)
    assert response.status_code == 200
    assert "This quote does not occur" in response.content.decode()
    data = fact_form_data(fact, citation_changes={citation.pk: {"quote": "She never danced"}})
    response = editor_client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), data)
    assert response.status_code == 302
    citation.refresh_from_db()
    assert (citation.quote, citation.start, citation.paragraph) == ("She never danced", CONTENT.index("She never"), 3)


def test_citing_the_same_passage_twice_is_a_form_error_not_a_crash(editor_client, source):
    film, topic = FilmFactory(), TopicFactory()
    data = fact_form_data(
        film=film.pk,
        topic=topic.pk,
        text="Twice cited.",
        new_citations=[(source, "A painter designed"), (source, "A painter designed")],
    )
    response = editor_client.post(reverse("admin:trivia_fact_add"), data)
    assert response.status_code == 200
    assert "already cites exactly this passage" in response.content.decode()
    assert not Fact.objects.exists()


def test_the_change_page_shows_the_cited_passage_in_context_escaped(editor_client):
    source = SourceFactory(content="Before <b>bold</b> words. The cited words here. After <script>x</script>.")
    citation = CitationFactory(source=source, quote="The cited words here.")
    response = editor_client.get(reverse("admin:trivia_fact_change", args=[citation.fact.pk]))
    html = response.content.decode()
    assert "Paragraph 1, characters 26–47:" in html
    assert "Before &lt;b&gt;bold&lt;/b&gt; words. <mark>The cited words here.</mark> After &lt;script&gt;" in html
    assert "<script>x</script>" not in html


def test_an_untouched_broken_citation_does_not_block_saving_its_fact(editor_client, source):
    citation = CitationFactory(source=source, quote="The studio doubted")
    Citation.objects.filter(pk=citation.pk).update(is_broken=True, broken_reason="The quote no longer occurs.")
    fact = citation.fact
    page = editor_client.get(reverse("admin:trivia_fact_change", args=[fact.pk])).content.decode()
    assert "Needs attention:" in page and "The quote no longer occurs." in page
    data = fact_form_data(fact, text="Edited while a citation is broken.")
    assert editor_client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), data).status_code == 302
    citation.refresh_from_db()
    assert citation.is_broken
    fact.refresh_from_db()
    assert fact.text == "Edited while a citation is broken."


def test_re_pasting_a_broken_citation_repairs_it(editor_client, source):
    citation = CitationFactory(source=source, quote="The studio doubted")
    Citation.objects.filter(pk=citation.pk).update(is_broken=True, broken_reason="Gone.")
    fact = citation.fact
    data = fact_form_data(fact, citation_changes={citation.pk: {"quote": "A painter designed"}})
    assert editor_client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), data).status_code == 302
    citation.refresh_from_db()
    assert not citation.is_broken and citation.broken_reason == ""
    assert citation.start == CONTENT.index("A painter designed")


def test_a_citation_added_on_its_own_page_is_anchored_too(editor_client, source):
    fact = FactFactory()
    data = {"fact": fact.pk, "source": source.pk, "quote": "A painter designed", "occurrence_paragraph": ""}
    response = editor_client.post(reverse("admin:trivia_citation_add"), data)
    assert response.status_code == 302, response.content.decode()
    citation = Citation.objects.get()
    assert citation.start == CONTENT.index("A painter designed")


def test_a_new_citation_starts_on_the_source_the_fact_already_cites(editor_client, source):
    fact = CitationFactory(source=source, quote="The studio doubted").fact
    response = editor_client.get(reverse("admin:trivia_fact_change", args=[fact.pk]))
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[-1]["source"].value() == source.pk


def test_citing_a_passage_the_fact_already_cites_on_the_citation_page_is_a_form_error(editor_client, source):
    existing = CitationFactory(source=source, quote="A painter designed")
    data = {"fact": existing.fact.pk, "source": source.pk, "quote": "A painter designed", "occurrence_paragraph": ""}
    response = editor_client.post(reverse("admin:trivia_citation_add"), data)
    assert response.status_code == 200
    assert "This fact already cites exactly this passage." in response.content.decode()
    assert Citation.objects.count() == 1
