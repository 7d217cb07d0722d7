"""Hostile stored text through the open data: the JSON parses, the XML is well-formed, values come out as stored.

The same corpus the browser tests store in every field (tests/e2e/test_hostile_strings.py):
script tags, attribute breakers, `</script>`, template syntax, `javascript:` URLs,
control characters, a 1,200-character word.
"""

import json
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.utils.html import escape

from tests.e2e.test_hostile_strings import CORPUS, build_hostile_site
from trivia import feeds, text

pytestmark = pytest.mark.django_db

API = "/api/v1"
ATOM = "{http://www.w3.org/2005/Atom}"


def get(client, path):
    response = client.get(path.removeprefix(settings.SITE_URL))
    assert response.status_code == 200, (path, response.content[:500])
    return response


def test_every_api_answer_parses_and_gives_back_the_stored_values(client):
    site = build_hostile_site()
    film, source = site["film"], site["source"]
    paths = [
        f"{API}/facts?film={film.slug}&spoilers=include&limit=100",
        f"{API}/films/{film.slug}",
        f"{API}/people?limit=100",
        f"{API}/topics/{site['topic'].slug}",
        f"{API}/sources/{source.slug}",
        f"{API}/sources/{source.slug}/annotations?page=1",
        f"{API}/facts/{site['facts'][1].key}/annotations",
    ]
    documents = {path: json.loads(get(client, path).content) for path in paths}

    facts = documents[paths[0]]["items"]
    assert sorted(fact["text"] for fact in facts) == sorted(fact.text for fact in site["facts"])
    assert {quote["quote"] for fact in facts for quote in fact["citations"]} == set(CORPUS)
    assert documents[paths[1]]["title"] == film.title
    assert documents[paths[4]]["text"] == source.content
    assert documents[paths[4]]["original_url"] is None  # a javascript: address is never handed on as a link
    for annotation in documents[paths[5]]["items"]:
        quote, position = annotation["target"]["selector"]
        assert source.content[position["start"] : position["end"]] == quote["exact"]
        assert source.content.count(quote["prefix"] + quote["exact"] + quote["suffix"]) == 1


@pytest.mark.parametrize("feed", ["/feed.atom", "/films/hostile-1948/feed.atom", "/topics/hostile-topic/feed.atom"])
def test_every_feed_is_well_formed_and_shows_the_text_as_text(client, feed):
    site = build_hostile_site()
    root = ET.fromstring(get(client, feed).content)  # raises on malformed XML
    entries = {entry.findtext(f"{ATOM}id"): entry for entry in root.iter(f"{ATOM}entry")}
    assert len(entries) == len(site["facts"])
    for fact in site["facts"]:
        entry = entries[settings.SITE_URL + fact.get_absolute_url()]
        if fact.is_spoiler:
            assert entry.findtext(f"{ATOM}title") == feeds.xml_safe(f"A spoiler about {fact.film}")
            continue
        assert entry.findtext(f"{ATOM}title") == feeds.xml_safe(text.shorten(fact.text, 100))
        # The summary is HTML (type="html"): the stored text is in it escaped, as text, never as markup.
        assert feeds.xml_safe(escape(fact.text)) in entry.findtext(f"{ATOM}summary")
