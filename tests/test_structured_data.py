"""JSON-LD builders: the right schema.org types, and no value can break out of its <script>."""

import json
import re

import pytest

from tests.factories import CreditFactory, FilmFactory, PersonFactory, SourceFactory
from tests.htmltree import parse
from trivia import structured_data
from trivia.models import Credit, Person, Source

pytestmark = pytest.mark.django_db

HOSTILE = '</script><script>alert("pwned")</script><!-- & -->'


def script_payload(html) -> str:
    (script,) = parse(html).find_all("script")
    assert script.attrs == {"type": "application/ld+json"}
    return script.text()


def test_json_ld_cannot_be_closed_or_commented_by_a_value():
    html = structured_data.json_ld({"name": HOSTILE})

    payload = script_payload(html)
    assert "<" not in payload and ">" not in payload and "&" not in payload
    assert html.count("</script>") == 1 and html.endswith("</script>")
    assert json.loads(payload) == {"name": HOSTILE}  # readers of the JSON get the value back intact


def test_json_ld_keeps_non_ascii_text_readable():
    payload = script_payload(structured_data.json_ld({"name": "Hans Christian Andersen’s “Red Shoes”"}))
    assert "’" in payload and json.loads(payload)["name"] == "Hans Christian Andersen’s “Red Shoes”"


def test_a_film_is_a_movie_with_its_credited_people():
    film = FilmFactory(title="The Red Shoes", year=1948, description="A ballet film.")
    shearer = PersonFactory(name="Moira Shearer", slug="moira-shearer")
    rank = PersonFactory(name="The Rank Company", slug="rank", kind=Person.Kind.ORGANISATION)
    andersen = PersonFactory(name="Hans Christian Andersen", slug="andersen")
    CreditFactory(film=film, person=shearer, role=Credit.Role.ACTOR)
    CreditFactory(film=film, person=rank, role=Credit.Role.FINANCIER)
    CreditFactory(film=film, person=andersen, role=Credit.Role.ORIGINAL_STORY)
    credits = film.credits.select_related("person")

    data = structured_data.movie(
        film, credits, "https://example.org/films/x/", lambda path: "https://example.org" + path
    )

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Movie"
    assert (data["name"], data["datePublished"], data["description"]) == ("The Red Shoes", "1948", "A ballet film.")
    assert data["actor"] == [
        {"@type": "Person", "name": "Moira Shearer", "url": "https://example.org/people/moira-shearer/"}
    ]
    assert data["productionCompany"] == [
        {"@type": "Organization", "name": "The Rank Company", "url": "https://example.org/people/rank/"}
    ]
    # No schema.org property means "wrote the story the film is based on": left out, not mislabelled.
    assert "andersen" not in json.dumps(data).lower()


def test_a_person_is_a_person_and_a_company_an_organization():
    person = PersonFactory(name="Hein Heckroth", description="Painter and designer.")
    company = PersonFactory(name="Universal", kind=Person.Kind.ORGANISATION, description="")

    assert structured_data.person(person, "https://example.org/p/") == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Hein Heckroth",
        "url": "https://example.org/p/",
        "description": "Painter and designer.",
    }
    assert structured_data.person(company, "https://example.org/u/")["@type"] == "Organization"
    assert "description" not in structured_data.person(company, "https://example.org/u/")


def test_a_source_is_a_creative_work_with_its_fingerprint():
    source = SourceFactory(title="Notes", author="A. Critic", publisher="A Press", url="https://example.org/notes")

    data = structured_data.creative_work(source, "https://example.org/sources/notes/")

    assert data["@type"] == "CreativeWork"
    assert data["author"] == {"@type": "Person", "name": "A. Critic"}
    assert data["publisher"] == {"@type": "Organization", "name": "A Press"}
    assert data["sameAs"] == "https://example.org/notes"
    assert data["identifier"]["propertyID"] == "SHA-256"
    assert re.fullmatch(r"[0-9a-f]{64}", data["identifier"]["value"]) and data["identifier"]["value"] == source.sha256


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "ftp://example.org/x", "data:text/html,hi"])
def test_only_web_addresses_become_same_as(url):
    source = SourceFactory()
    Source.objects.filter(pk=source.pk).update(url=url)
    source.refresh_from_db()
    assert "sameAs" not in structured_data.creative_work(source, "https://example.org/s/")
