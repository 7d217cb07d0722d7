"""The /facts/ page as a reader meets it: the form, the count, highlights, spoilers, pages, bad input."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import CitationFactory, FactFactory, FilmFactory, PersonFactory, SourceFactory, TopicFactory
from trivia.models import Citation, Fact
from trivia.search import rebuild_search_index
from trivia.selectors import search as search_selectors

pytestmark = pytest.mark.django_db

URL = reverse("trivia:fact_list")


def page(client, query="", status=200):
    response = client.get(f"{URL}?{query}" if query else URL)
    assert response.status_code == status, response.content[:2000]
    return response.content.decode()


def summary(html: str) -> str:
    match = re.search(r'<p class="result-summary" id="result-summary" role="status">(.*?)</p>', html, re.S)
    assert match, "no result summary on the page"
    return match.group(1)


def result_keys(html: str) -> list[str]:
    return re.findall(r'<li class="fact" id="fact-([\w-]+)">', html)


# --- The form ----------------------------------------------------------------------------


def test_form_is_a_plain_labelled_get_form(client, seeded):
    html = page(client)
    form = re.search(r"<form id=\"fact-search\" class=\"fact-search\"[^>]*>", html).group(0)
    assert 'method="get"' in form and f'action="{URL}"' in form
    for name in ["q", "film", "topic", "person", "source", "spoilers", "ordering"]:
        assert f'<label for="id_{name}"' in html, name
        assert f'id="id_{name}"' in html, name
    # The filters sit after the results, in the folding panel, yet belong to the one form.
    for name in ["film", "topic", "person", "source", "spoilers", "ordering"]:
        control = re.search(rf'<(?:input|select)[^>]*id="id_{name}"[^>]*>', html).group(0)
        assert 'form="fact-search"' in control, name
    panel = html.index('<details class="search-filters-panel"')
    assert html.index('id="id_q"') < html.index('<div class="search-found">') < panel < html.index('id="id_film"')
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/site.js" defer>']


def test_the_search_page_has_one_search_box(client, seeded):
    html = page(client, "q=ballet")
    assert html.count('type="search"') == 1
    assert 'id="site-search-q"' not in html


def test_form_keeps_what_was_searched_for(client, seeded):
    html = page(client, "q=ballet&film=the-red-shoes-1948&spoilers=include")
    assert 'value="ballet"' in html
    assert re.search(r'<input type="text" name="film" value="The Red Shoes \(1948\)"', html)  # the slug, shown as named
    assert re.search(r'<option value="include" selected>', html)


def test_without_a_query_every_published_fact_is_listed_by_film_and_topic(client, seeded):
    html = page(client)
    assert summary(html) == "15 facts."
    assert result_keys(html)[:2] == ["over-budget", "ballet-six-weeks"]  # Production comes first


# --- Full-text results -------------------------------------------------------------------


def test_search_announces_the_count_and_highlights_the_match(client, seeded):
    html = page(client, "q=Heckroth")
    assert summary(html) == "1 fact matches “Heckroth”."
    assert result_keys(html) == ["heckroth-120-paintings"]
    assert "by Hein <mark>Heckroth</mark>." in html
    assert "<title>1 fact matches “Heckroth”. – Search facts – redshoes</title>" in html


def test_search_says_how_many_spoilers_it_hides_and_links_to_them(client, seeded):
    html = page(client, "q=Heckroth")
    assert "1 more fact matches but reveals the ending" in html
    assert 'href="?q=Heckroth&amp;spoilers=include"' in html


def test_included_spoilers_stay_collapsed(client, seeded):
    html = page(client, "q=woodsman&spoilers=include")
    assert result_keys(html) == ["heckroth-defends-grim-ending", "andersen-feet-hacked-off"] or result_keys(html) == [
        "andersen-feet-hacked-off",
        "heckroth-defends-grim-ending",
    ]
    item = re.search(r'<li class="fact" id="fact-heckroth-defends-grim-ending">(.*?)</li>', html, re.S).group(1)
    assert item.lstrip().startswith('<details class="spoiler"><summary>Spoiler: reveals the ending')
    assert item.index("complained") > item.index("</summary>")
    other = re.search(r'<li class="fact" id="fact-andersen-feet-hacked-off">(.*?)</li>', html, re.S).group(1)
    assert "<details" not in other


def test_search_finds_by_name_and_by_quote_with_the_quote_shown_and_highlighted(client, seeded):
    html = page(client, "q=moira")
    assert sorted(result_keys(html)) == ["kennedy-knew-instantly", "kennedy-shearer-wedding-1950"]
    assert "<mark>Moira</mark> Shearer" in html
    html = page(client, "q=quietly")  # only in the cited quote, not the fact's text
    assert result_keys(html) == ["rank-tried-to-bury-it"]
    assert '<blockquote class="quote">by just letting it <mark>quietly</mark> show' in html


def test_each_result_links_to_its_permalink_film_topic_and_cited_passage(client, seeded):
    html = page(client, "q=budget")
    fact = Fact.objects.get(key="over-budget")
    citation = fact.citations.get()
    for url in [fact.get_absolute_url(), fact.film.get_absolute_url(), fact.topic.get_absolute_url()]:
        assert f'href="{url}"' in html
    passage = f"/sources/the-red-shoes-1948-trivia/?for=over-budget&amp;note=1&amp;from=fact#{citation.anchor}"
    assert f'href="{passage}"' in html
    assert "trivia notes</cite>, ¶1" in html


def test_broken_citation_is_shown_as_needing_attention_not_linked(client):
    citation = CitationFactory(fact=FactFactory(text="Zeppelins flew over the set."))
    Citation.objects.filter(pk=citation.pk).update(is_broken=True, broken_reason="The source changed.")
    html = page(client, "q=zeppelins")
    assert "Needs attention:</strong> The source changed." in html
    assert f'href="{citation.get_absolute_url()}"' not in html


def test_text_and_query_are_escaped(client):
    FactFactory(
        text="<script>alert('fact')</script> Heckroth & co.", people=[PersonFactory(name="<b>Bold</b>", slug="bold")]
    )
    html = page(client, "q=%3Cscript%3Ealert%3C/script%3E+heckroth")
    assert "<script>" not in html
    assert (
        "&lt;<mark>script</mark>&gt;<mark>alert</mark>(&#x27;fact&#x27;)&lt;/<mark>script</mark>&gt; "
        "<mark>Heckroth</mark> &amp; co."
    ) in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert summary(html) == "1 fact matches “&lt;script&gt;alert&lt;/script&gt; heckroth”."


def test_empty_result_says_so(client, seeded):
    html = page(client, "q=zeppelin")
    assert summary(html) == "No facts match “zeppelin”."
    assert "Try fewer or different words" in html
    assert result_keys(html) == []


def test_person_and_topic_links_from_other_pages_open_the_filtered_list(client, seeded):
    html = page(client, "person=moira-shearer")
    assert summary(html) == "2 facts mentioning Moira Shearer."
    html = page(client, "topic=production")
    assert summary(html) == "4 facts under Production."


# --- Pages -------------------------------------------------------------------------------


@pytest.fixture
def thirty_ballet_facts():
    film, topic = FilmFactory(), TopicFactory()
    return [FactFactory(film=film, topic=topic, text=f"Ballet fact {n}.", position=n) for n in range(30)]


def test_results_come_25_a_page_with_page_links_that_keep_the_filters(client, thirty_ballet_facts):
    film = thirty_ballet_facts[0].film
    html = page(client, f"q=ballet&film={film.slug}")
    assert summary(html) == f"30 facts match “ballet” in {film}. Page 1 of 2."
    assert len(result_keys(html)) == 25
    assert f'href="?q=ballet&amp;film={film.slug}&amp;page=2" rel="next"' in html
    html = page(client, f"q=ballet&film={film.slug}&page=2")
    assert len(result_keys(html)) == 5
    assert '<ol class="facts search-results" start="26">' in html
    assert f'href="?q=ballet&amp;film={film.slug}&amp;page=1" rel="prev"' in html


@pytest.mark.parametrize(
    "raw, shown", [("abc", 1), ("0", 1), ("-3", 1), ("999", 2), ("2.5", 1), ("", 1), ("9" * 500, 2)]
)
def test_any_page_value_gives_a_page(client, thirty_ballet_facts, raw, shown):
    html = page(client, f"q=ballet&page={raw}")
    assert summary(html).endswith(f"Page {shown} of 2.")


def test_canonical_link_is_the_clean_search(client, thirty_ballet_facts):
    html = page(client, "q=ballet&spoilers=hide&junk=1&page=2")
    assert f'<link rel="canonical" href="{settings.SITE_URL}/facts/?q=ballet&amp;page=2">' in html


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ("film=no-such-film", "There is no film called “no-such-film”."),
        ("topic=%3Cscript%3E", "There is no topic with the address “&lt;script&gt;”."),
        ("person=nobody", "There is no person called “nobody”."),
        ("source=..%2F..%2Fetc", "There is no source called “../../etc”."),
        ("spoilers=maybe", "Select a valid choice. maybe is not one of the available choices."),
        ("ordering=price", "Select a valid choice. price is not one of the available choices."),
        ("q=%22", "Type at least one word or number to search for"),
        ("q=*+-+%28+%3A", "Type at least one word or number to search for"),
        ("q=a%00b", "Null characters are not allowed."),
        ("q=" + "x" * 5000, "Ensure this value has at most 1000 characters (it has 5000)."),
    ],
)
def test_invalid_values_show_the_form_with_the_error_and_http_400(client, seeded, query, message):
    html = page(client, query, status=400)
    assert message in html
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert result_keys(html) == []


@pytest.mark.parametrize(
    "query",
    [
        "q=%22Heckroth%22",
        "q=Heckroth*",
        "q=-Heckroth",
        "q=Heckroth%3A",
        "q=%28Heckroth%29",
        "q=%5EHeckroth%7B%7D",
        "q=Heckroth%01%1F%7F",
        "q=%27Heckroth%27--",
        "q=heckroth&q=HECKROTH",
        "q=zeppelin&q=Heckroth",
    ],
)
def test_query_syntax_characters_are_ignored_around_the_words(client, seeded, query):
    html = page(client, query)
    assert result_keys(html) == ["heckroth-120-paintings"]


@pytest.mark.parametrize(
    "query",
    [
        "q=NEAR%28Heckroth+paintings%29",
        "q=Heckroth+OR+Rank",
        "q=Heckroth+NOT+paintings",
        "q=Heckroth%27+OR+1%3D1+--",
        "q=Heckroth%3B+DROP+TABLE+trivia_fact%3B",
        "q=%27%29%3B+DELETE+FROM+trivia_fact_fts%3B+--+Heckroth",
    ],
)
def test_operators_and_sql_are_searched_as_plain_words(client, seeded, query):
    """ "NEAR", "OR", "DROP"... are words every fact must contain, so nothing matches and nothing breaks."""
    html = page(client, query)
    assert summary(html).startswith("No facts match")
    assert Fact.objects.count() == 19
    assert result_keys(page(client, "q=Heckroth")) == ["heckroth-120-paintings"]


def test_a_long_pasted_quote_finds_its_fact(client, seeded):
    quote = (
        "When Ludovic Kennedy saw Moira Shearer in this film, he said that he knew instantly that she was going "
        "to be the girl he would marry."
    )
    html = page(client, "q=" + quote.replace(" ", "+").replace(",", "%2C"))
    assert result_keys(html)[0] == "kennedy-knew-instantly"


def test_repeated_filter_parameters_use_the_last_value(client, seeded):
    html = page(client, "topic=nope&topic=production")
    assert summary(html) == "4 facts under Production."


# --- Query counts ------------------------------------------------------------------------


def add_facts(count: int):
    """`count` published facts, each with two people and a citation, written in bulk (like the demo generator)."""
    film, topic, source = FilmFactory(), TopicFactory(), SourceFactory()
    people = [PersonFactory(name=f"Dancer {n}") for n in range(2)]
    quote = source.content.split("\n\n")[0]
    start = source.content.index(quote)
    facts = Fact.objects.bulk_create(
        [
            Fact(
                key=f"bulk-{count}-{n}",
                film=film,
                topic=topic,
                text=f"Ballet fact {n}.",
                status=Fact.Status.PUBLISHED,
                published_at=timezone.now(),
            )
            for n in range(count)
        ]
    )
    Fact.people.through.objects.bulk_create(
        [Fact.people.through(fact_id=fact.pk, person_id=person.pk) for fact in facts for person in people]
    )
    Citation.objects.bulk_create(
        [Citation(fact=fact, source=source, quote=quote, start=start, end=start + len(quote)) for fact in facts]
    )
    rebuild_search_index()
    return film, people[0]


QUERY_COUNT_URLS = [
    "",
    "q=ballet",
    "q=ballet&spoilers=include&ordering=film",
    "q=ballet+dancer&page=3",
    "film={film}&topic={topic}&person={person}&source={source}&q=ballet",
]


def count_queries(client, query: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return len(context.captured_queries)


def queries_per_url(client, film, person) -> dict[str, int]:
    fact = Fact.objects.filter(film=film).first()
    values = {
        "film": film.slug,
        "topic": fact.topic.slug,
        "person": person.slug,
        "source": fact.citations.first().source.slug,
    }
    return {url: count_queries(client, url.format(**values)) for url in QUERY_COUNT_URLS}


def test_query_count_is_the_same_at_60_and_at_1000_facts(client, monkeypatch):
    """Prevents an N+1: people, citations and sources are loaded per page, never per fact."""
    # Below the search's cap, which counts fewer (tests/test_search_bounded.py).
    monkeypatch.setattr(search_selectors, "MATCH_LIMIT", 5000)
    film, person = add_facts(60)  # three pages: the third is asked for below
    with_60 = queries_per_url(client, film, person)
    film, person = add_facts(1000)
    with_1000 = queries_per_url(client, film, person)
    assert with_1000 == with_60
    # content version; the page's facts with their count, hidden spoilers and display tokens (one read:
    # selectors/search.py); the page's facts, people and citations; the topics (one read for the form's
    # check, its <select> and the page's inputs: filters.ListedChoiceField); the films, people and sources
    # suggested (one read: selectors/names.py); each film, person or source slug given adds its lookup.
    named = ("film={", "person={", "source={")
    assert with_60 == {url: 7 + sum(name in url for name in named) for url in QUERY_COUNT_URLS}


def test_a_page_past_the_last_is_counted_to_say_which_page_to_show(client):
    film, person = add_facts(30)
    values = {"film": film.slug, "topic": film.facts.first().topic.slug}
    # The one read finds nothing on page 9; the counted path (newest matches, the page in film order,
    # hidden spoilers) shows page 2, the last.
    assert count_queries(client, "q=ballet&page=9") == 7 + 3
    assert count_queries(client, "film={film}&topic={topic}&page=9".format(**values)) == 7 + 1 + 3


# --- Person and source by name -----------------------------------------------------------


def test_the_person_and_source_boxes_suggest_names_without_javascript(client, seeded):
    html = page(client)
    people = re.search(r'<datalist id="person-suggestions">(.*?)</datalist>', html).group(1)
    assert re.findall(r'<option value="([^"]+)">', people)[:3] == [
        "British Film Institute",
        "Hans Christian Andersen",
        "Hein Heckroth",
    ]
    assert 'list="person-suggestions"' in html and 'list="source-suggestions"' in html
    assert '<option value="The Red Shoes (1948): trivia notes">' in html


def test_one_search_leaves_nothing_in_the_next_ones_form(client, seeded):
    """The form class is made once per process (FactFilter.get_form_class); each search gets its own fields."""
    PersonFactory(name="Moira Lister", slug="moira-lister")
    assert "fits more than one person" in page(client, "person=moira", status=400)
    html = page(client, "q=ballet")
    assert "fits more than one person" not in html and "moira-lister" not in html
    person_box = re.search(r'<input[^>]*name="person"[^>]*>', html).group(0)
    assert "value=" not in person_box and "aria-invalid" not in person_box and 'form="fact-search"' in person_box


def test_a_typed_name_filters_and_the_page_says_whom_it_found(client, seeded):
    html = page(client, "person=h%C3%A9in+HECKROTH")
    assert summary(html) == "1 fact mentioning Hein Heckroth."
    assert re.search(r'<input type="text" name="person" value="Hein Heckroth"', html)
    assert f'<link rel="canonical" href="{settings.SITE_URL}/facts/?person=hein-heckroth">' in html


def test_an_ambiguous_name_offers_links_to_each_match(client, seeded):
    PersonFactory(name="Moira Lister", slug="moira-lister")
    html = page(client, "q=ballet&person=moira", status=400)
    assert "“moira” fits more than one person: choose one below." in html
    assert 'href="?q=ballet&amp;person=moira-lister">Moira Lister</a>' in html
    assert 'href="?q=ballet&amp;person=moira-shearer">Moira Shearer</a>' in html
    assert '<details class="search-filters-panel" id="filters" open>' in html


def test_suggestions_stay_bounded_when_there_are_many_people(client):
    film = FilmFactory()
    Person = PersonFactory._meta.model
    Person.objects.bulk_create(Person(name=f"Extra {n:03}", slug=f"extra-{n:03}") for n in range(250))
    credited = PersonFactory(name="Only In The Film")
    CitationFactory(fact=FactFactory(film=film, people=[credited]))

    everyone = page(client)
    one_film = page(client, f"film={film.slug}")

    assert re.search(r'<datalist id="person-suggestions"></datalist>', everyone)
    only = '<datalist id="person-suggestions"><option value="Only In The Film"></option></datalist>'
    assert only in one_film
    assert keys_for(client, "person=Extra 042") == []  # found (no facts), not an error


def keys_for(client, query):
    return result_keys(page(client, query))


# --- The film box -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["the-red-shoes-1948", "The Red Shoes", "the red shoes", "The Red Shoes (1948)", "red shoes 1948"]
)
def test_a_film_is_found_by_its_slug_its_title_or_its_title_and_year(client, seeded, typed):
    CitationFactory(fact=FactFactory(film=FilmFactory(title="Black Narcissus", year=1947)))

    html = page(client, f"film={typed}")

    assert summary(html) == "15 facts in The Red Shoes (1948)."
    assert re.search(r'<input type="text" name="film" value="The Red Shoes \(1948\)"', html)
    assert f'<link rel="canonical" href="{settings.SITE_URL}/facts/?film=the-red-shoes-1948">' in html


def test_two_films_of_one_title_are_told_apart_by_year(client, seeded):
    remake = FilmFactory(title="The Red Shoes", year=2005, slug="the-red-shoes-2005")
    CitationFactory(fact=FactFactory(film=remake, text="The remake."))

    html = page(client, "film=the+red+shoes", status=400)
    assert "“the red shoes” fits more than one film: choose one below." in html
    assert 'href="?film=the-red-shoes-1948">The Red Shoes (1948)</a>' in html
    assert 'href="?film=the-red-shoes-2005">The Red Shoes (2005)</a>' in html
    assert summary(page(client, "film=The+Red+Shoes+(2005)")) == "1 fact in The Red Shoes (2005)."


def test_an_unknown_film_is_a_form_error_not_a_server_error(client, seeded):
    html = page(client, "film=Peeping+Tom&q=ballet", status=400)
    assert "There is no film called “Peeping Tom”." in html and 'aria-invalid="true"' in html


@pytest.mark.parametrize("film_count", [10, 400])
def test_the_film_box_does_not_list_every_film(client, django_assert_num_queries, film_count):
    """Issue 16: the film <select> listed every film (4,000 options at a million facts, most of the page)."""
    Film = FilmFactory._meta.model
    Film.objects.bulk_create(Film(title=f"Film {n:03}", year=1950, slug=f"film-{n:03}") for n in range(film_count))

    # content version; film, people and source suggestions (one read); the one read of the page, which finds
    # no facts, then the counted path's newest matches and hidden spoilers; the topics (one read).
    with django_assert_num_queries(6):
        html = page(client)

    assert '<select name="film"' not in html and 'list="film-suggestions"' in html
    suggested = re.search(r'<datalist id="film-suggestions">(.*?)</datalist>', html).group(1)
    assert suggested.count("<option") == (film_count if film_count <= 200 else 0)
    last = f"Film+{film_count - 1:03}+(1950)"
    assert keys_for(client, f"film={last}") == []  # found by its title and year (no facts), not an error
