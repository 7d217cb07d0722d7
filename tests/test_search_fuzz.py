"""Whatever arrives in the query string, /facts/ answers with a page: 200 or 400, never a 5xx.

Hypothesis throws arbitrary text at every parameter (and arbitrary bytes as the whole
query string) on whichever database the suite runs; `make test-postgres` repeats it on
PostgreSQL, whose tsquery parser and NUL-byte rules differ from SQLite's FTS5.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trivia import search
from trivia.models import Fact

URL = reverse("trivia:fact_list")
PARAMETERS = ["q", "film", "topic", "person", "source", "spoilers", "ordering", "page"]

# Requests only read, so the database seeded once per test serves every example.
fuzz_settings = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that is likely to upset a query parser, mixed with arbitrary Unicode.
syntax = st.sampled_from(
    ['"', "*", "NEAR", "NEAR(", "-", ":", "(", ")", "^", "AND", "OR", "NOT", "'", "\\", "&", "|", "!", "<->", ":*"]
)
nasty_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(syntax, st.text(max_size=8)), max_size=12).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["\x00", "a\x00b", "\x01\x1f\x7f", "x" * 5000, "9" * 400, "-1", "0", "1e9", "🩰" * 50]),
)
valid_values = {
    "film": ["the-red-shoes-1948"],
    "topic": ["production", "the-ending"],
    "person": ["moira-shearer", "hein-heckroth"],
    "source": ["the-red-shoes-1948-trivia"],
    "spoilers": ["hide", "include"],
    "ordering": ["relevance", "film"],
    "page": ["1", "2"],
    "q": ["Heckroth", "moira", "ballet"],
}


def query_parameters(names, values):
    """Any subset of `names`, each a valid value, nasty text or several values at once."""
    return st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(st.sampled_from(values[name]), nasty_text, st.lists(nasty_text, min_size=2, max_size=3))
            for name in names
        },
    )


parameter_values = query_parameters(PARAMETERS, valid_values)


def assert_page(response):
    assert response.status_code in (200, 400), response.status_code
    html = response.content.decode()
    assert 'class="fact-search"' in html
    if response.status_code == 400:
        assert 'role="alert"' in html  # the reader is told what to fix
    else:
        assert 'role="status"' in html


@pytest.mark.django_db
@fuzz_settings
@given(params=parameter_values)
def test_any_parameter_values_give_a_page(client, seeded, params):
    assert_page(client.get(URL, params))


@pytest.mark.django_db
@fuzz_settings
@given(raw=st.binary(max_size=400))
def test_any_raw_query_string_gives_a_page(client, seeded, raw):
    assert_page(client.get(URL, QUERY_STRING=raw.decode("latin-1")))


@pytest.mark.django_db
@fuzz_settings
@given(q=nasty_text)
def test_search_facts_accepts_any_text(seeded, q):
    results = list(search.search_facts(Fact.objects.all(), q).order_by("-search_rank")[:5])
    if not search.query_terms(q):
        assert results == []
