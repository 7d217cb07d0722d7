"""The editorial queue on the admin home page, and the paragraph coverage it counts."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, FilmFactory, SourceFactory, TopicFactory
from trivia import coverage, text
from trivia.editorial_queue import editorial_queue
from trivia.models import Citation, Fact

pytestmark = pytest.mark.django_db

CONTENT = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."


def test_the_home_page_opens_with_the_queue_each_count_linking_to_its_list(editor_client):
    source = SourceFactory(content=CONTENT)
    CitationFactory(source=source, quote="First paragraph.", fact__status=Fact.Status.DRAFT)
    broken = CitationFactory(source=source, quote="Second paragraph.")
    Citation.objects.filter(pk=broken.pk).update(is_broken=True)
    FactFactory(status=Fact.Status.DRAFT)

    html = editor_client.get(reverse("admin:index")).content.decode()

    assert html.index("Editorial queue") < html.index('class="app-trivia module"')  # it opens the page
    queue = html[html.index('class="module editorial-queue"') : html.index('class="app-trivia module"')]
    facts = reverse("admin:trivia_fact_changelist")
    assert f'<a href="{facts}?status__exact=draft"><span class="queue-count">2</span> drafts waiting</a>' in queue
    assert f'<a href="{facts}?broken=yes"><span class="queue-count">1</span> fact with broken citations</a>' in queue
    sources = reverse("admin:trivia_source_changelist")
    assert f'<a href="{sources}?uncited=yes"><span class="queue-count">2</span> uncited paragraphs</a>' in queue
    assert "in 1 source;" in queue


def test_the_queue_links_lead_to_lists_of_exactly_that_work(editor_client):
    source = SourceFactory(content=CONTENT)
    cited = SourceFactory(content="Only paragraph.")
    CitationFactory(source=cited, quote="Only paragraph.")
    broken = CitationFactory(source=source, quote="First paragraph.")
    Citation.objects.filter(pk=broken.pk).update(is_broken=True)

    broken_list = editor_client.get(reverse("admin:trivia_fact_changelist") + "?broken=yes")
    assert list(broken_list.context["cl"].result_list) == [broken.fact]
    uncited = editor_client.get(reverse("admin:trivia_source_changelist") + "?uncited=yes")
    assert list(uncited.context["cl"].result_list) == [source]
    assert "3 of 3" in uncited.content.decode()  # a broken citation covers nothing


def test_the_queue_is_not_shown_to_staff_who_cannot_see_facts(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("guest", password="x", is_staff=True))
    assert "Editorial queue" not in client.get(reverse("admin:index")).content.decode()


def make_cited_facts(count):
    film, topic = FilmFactory(), TopicFactory()
    source = SourceFactory(content="\n\n".join(f"Paragraph {n}." for n in range(count)) + "\n\nNever cited.")
    facts = Fact.objects.bulk_create(
        [
            Fact(film=film, topic=topic, text=f"F{n}", key=f"f{n}-{source.pk}", status=Fact.Status.DRAFT)
            for n in range(count)
        ]
    )
    spans = text.paragraphs(source.content)
    Citation.objects.bulk_create(
        [
            Citation(
                fact=f, source=source, quote=p.text, start=p.start, end=p.end, paragraph=p.number, is_broken=n % 2 == 0
            )
            for n, (f, p) in enumerate(zip(facts, spans, strict=False))
        ]
    )


def queries_for_home(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("admin:index")).status_code == 200
    return len(captured)


def test_the_queue_costs_the_same_queries_at_10_and_1000_facts(editor_client):
    """Regression guard: a query per fact, citation or source in the counts."""
    make_cited_facts(10)
    cold_few, warm_few = queries_for_home(editor_client), queries_for_home(editor_client)
    make_cited_facts(1000)
    for _ in range(3):
        SourceFactory()
    cache.clear()
    assert queries_for_home(editor_client) == cold_few
    assert queries_for_home(editor_client) == warm_few
    assert warm_few < cold_few  # between edits, the counts come from the cache


def test_the_counts_follow_every_kind_of_write():
    source = SourceFactory(content=CONTENT)
    assert editorial_queue().uncited_paragraphs == 3
    citation = CitationFactory(source=source, quote="First paragraph.")
    assert editorial_queue().uncited_paragraphs == 2
    Citation.objects.filter(pk=citation.pk).update(is_broken=True)  # a bulk write, no signals
    assert (editorial_queue().uncited_paragraphs, editorial_queue().facts_with_broken_citations) == (3, 1)
    Fact.objects.filter(pk=citation.fact_id).update(status=Fact.Status.DRAFT)
    assert editorial_queue().drafts == 1


def test_only_sources_whose_text_or_citations_changed_are_read_again(monkeypatch):
    sources = [SourceFactory(content=f"{CONTENT} ({n})") for n in range(4)]
    coverage.coverage_by_source()
    measured = []
    original = coverage._measure
    monkeypatch.setattr(
        coverage,
        "_measure",
        lambda pks, everything: measured.append(sorted(pks)) or original(pks, everything=everything),
    )

    CitationFactory(source=sources[1], quote="Second paragraph.")
    sources[2].content += "\n\nMore."
    sources[2].save()
    counted = coverage.coverage_by_source()

    assert measured == [sorted([sources[1].pk, sources[2].pk])]
    assert counted[sources[1].pk] == coverage.Coverage(paragraphs=3, uncited=2)
    assert counted[sources[2].pk] == coverage.Coverage(paragraphs=4, uncited=4)
    assert coverage.coverage_by_source() == counted and len(measured) == 1


@pytest.mark.parametrize(
    ("spans", "flags"),
    [
        ([], [False, False, False]),
        ([(0, 5)], [True, False, False]),
        ([(10, 25)], [True, True, False]),  # over a paragraph break: both paragraphs are cited
        ([(16, 18)], [False, False, False]),  # only the blank lines between paragraphs
        ([(0, 3), (1, 2), (40, 45)], [True, False, True]),
    ],
)
def test_a_paragraph_is_cited_when_a_span_overlaps_it(spans, flags):
    assert coverage.cited_flags(text.paragraphs(CONTENT), spans) == flags
