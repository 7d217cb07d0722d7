"""schema.org JSON-LD for the public pages: `Movie`, `Person`/`Organization`, `CreativeWork`.

Readers never see these blocks, which is why they must be escaped with care: a title
holding `</script>` would end the block. `json_ld()` escapes `<`, `>` and `&` as JSON
unicode escapes (Django's `json_script` rule). The builders take rows the selectors
already loaded and never query.
"""

import json
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Credit, Person, Source

SCHEMA_CONTEXT = "https://schema.org"

# `<`, `>`, `&` as JSON escapes: the block cannot be closed or confused by any value.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

# Film credit roles that schema.org `Movie` has a property for; other roles are left out
# rather than forced into a property that means something else.
MOVIE_ROLE_PROPERTIES = {
    Credit.Role.DIRECTOR: "director",
    Credit.Role.ACTOR: "actor",
    Credit.Role.PRODUCER: "producer",
    Credit.Role.COMPOSER: "musicBy",
    Credit.Role.FINANCIER: "productionCompany",
}


def is_web_url(url: str) -> bool:
    """Only http(s) addresses become links: the model refuses others, but a fixture or a raw
    update could still hold a `javascript:` URL, and a page must not make it clickable."""
    return urlsplit(url or "").scheme.lower() in {"http", "https"}


def json_ld(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` element holding `data`, safe in any HTML."""
    encoded = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))


def _person_ref(person: Person, url: str | None = None) -> dict:
    data = {"@type": "Organization" if person.kind == Person.Kind.ORGANISATION else "Person", "name": person.name}
    if url:
        data["url"] = url
    return data


def movie(film, credits, url: str, absolute=None) -> dict:
    """`Movie` for a film page. `credits` are the film's credits with `person` loaded.

    `absolute` turns a path into an absolute URL (e.g. `request.build_absolute_uri`) so
    credited people link to their pages.
    """
    data = {
        "@context": SCHEMA_CONTEXT,
        "@type": "Movie",
        "name": film.title,
        "datePublished": str(film.year),
        "url": url,
    }
    if film.description:
        data["description"] = film.description
    for credit in credits:
        prop = MOVIE_ROLE_PROPERTIES.get(credit.role)
        if prop is None:
            continue
        person_url = absolute(credit.person.get_absolute_url()) if absolute else None
        data.setdefault(prop, []).append(_person_ref(credit.person, person_url))
    return data


def person(person: Person, url: str) -> dict:
    """`Person`, or `Organization` for a company (The Rank Company, Universal)."""
    data = {"@context": SCHEMA_CONTEXT, **_person_ref(person, url)}
    if person.description:
        data["description"] = person.description
    return data


def creative_work(source: Source, url: str) -> dict:
    """`CreativeWork` for a source page; `url` is our page, `sameAs` the original if on the web."""
    data = {
        "@context": SCHEMA_CONTEXT,
        "@type": "CreativeWork",
        "name": source.title,
        "url": url,
        "genre": source.get_kind_display(),
        # The fingerprint that lets anyone check they are reading the same text we cite.
        "identifier": {"@type": "PropertyValue", "propertyID": "SHA-256", "value": source.sha256},
    }
    if source.author:
        data["author"] = {"@type": "Person", "name": source.author}
    if source.publisher:
        data["publisher"] = {"@type": "Organization", "name": source.publisher}
    if is_web_url(source.url):
        data["sameAs"] = source.url
    return data
