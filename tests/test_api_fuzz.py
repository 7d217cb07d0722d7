"""Whatever arrives, the API answers with JSON: 200, 400 or 404, never a 5xx, never a broken document.

Hypothesis throws arbitrary text at every parameter of every list (the /facts/ filters,
`cursor`, `limit`, a source collection's `page`), arbitrary bytes as the query string,
and arbitrary path segments, as tests/test_search_fuzz.py does for /facts/; `make
test-postgres` repeats it on PostgreSQL, whose NUL-byte and tsquery rules differ.
"""

import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_search_fuzz import fuzz_settings, nasty_text, query_parameters, valid_values

API = "/api/v1"
LISTS = ["facts", "films", "people", "topics", "sources"]
FACT_PARAMETERS = ["q", "film", "topic", "person", "source", "spoilers", "ordering", "cursor", "limit"]
api_values = {
    **valid_values,
    "cursor": ["", ".eJyrVkrLLy0qTlWyMjTQUSpKTUlVslIqS8wpTVWqBQBZtAdF"],
    "limit": ["1", "5", "100"],
}
parameter_values = query_parameters(FACT_PARAMETERS, api_values)


def assert_json(response, allowed=(200, 400)):
    assert response.status_code in allowed, (response.status_code, response.content[:500])
    document = json.loads(response.content)  # raises on a broken document
    assert response["Access-Control-Allow-Origin"] == "*"
    if response.status_code != 200:
        assert response["Content-Type"] == "application/problem+json"
        assert document["status"] == response.status_code and document["detail"]
    return document


@pytest.mark.django_db
@fuzz_settings
@given(params=parameter_values)
def test_any_facts_parameters_give_json(client, seeded, params):
    document = assert_json(client.get(f"{API}/facts", params))
    if "items" in document:
        assert all(fact["key"] for fact in document["items"])


@pytest.mark.django_db
@fuzz_settings
@given(collection=st.sampled_from(LISTS), raw=st.binary(max_size=400))
def test_any_raw_query_string_gives_json(client, seeded, collection, raw):
    assert_json(client.get(f"{API}/{collection}", QUERY_STRING=raw.decode("latin-1")))


@pytest.mark.django_db
@fuzz_settings
@given(collection=st.sampled_from(LISTS), cursor=nasty_text, limit=nasty_text)
def test_any_cursor_and_limit_give_json(client, seeded, collection, cursor, limit):
    assert_json(client.get(f"{API}/{collection}", {"cursor": cursor, "limit": limit}))


@pytest.mark.django_db
@fuzz_settings
@given(page=nasty_text)
def test_any_annotation_page_gives_json(client, seeded, page):
    response = client.get(f"{API}/sources/the-red-shoes-1948-trivia/annotations", {"page": page})
    assert_json(response, allowed=(200, 400, 404))


@pytest.mark.django_db
@fuzz_settings
@given(
    prefix=st.sampled_from(["films", "people", "topics", "sources", "facts", "facts/over-budget/annotations", ""]),
    segment=st.text(max_size=80),
)
def test_any_path_gives_json(client, seeded, prefix, segment):
    response = client.get(f"{API}/{prefix}/{quote(segment, safe='')}")
    assert_json(response, allowed=(200, 400, 404))
