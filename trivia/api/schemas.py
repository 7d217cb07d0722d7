"""The shapes of the API's JSON, for the OpenAPI schema (/api/v1/openapi.json) and to check every response.

Declarative: one class per object. `represent.py` builds the dicts these validate.
"""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema


class FilmRef(Schema):
    slug: str
    title: str
    year: int
    api_url: str


class PersonRef(Schema):
    slug: str
    name: str
    kind: Literal["person", "organisation"]
    api_url: str


class TopicRef(Schema):
    slug: str
    name: str
    api_url: str


class SourceRef(Schema):
    slug: str
    title: str
    api_url: str


class Film(FilmRef):
    description: str
    page_url: str = Field(description="The film's page on the site.")
    facts_url: str = Field(description="Its published facts in the API.")
    feed_url: str = Field(description="Atom feed of its newly published facts.")


class FilmCredit(Schema):
    person: PersonRef
    role: str
    role_label: str
    character: str


class FilmDetail(Film):
    credits: list[FilmCredit]


class Person(PersonRef):
    description: str
    page_url: str
    facts_url: str
    feed_url: str


class PersonCredit(Schema):
    film: FilmRef
    role: str
    role_label: str
    character: str


class PersonDetail(Person):
    credits: list[PersonCredit]


class Topic(TopicRef):
    order: int
    description: str
    page_url: str
    facts_url: str
    feed_url: str


class Source(SourceRef):
    kind: str
    author: str
    publisher: str
    original_url: str | None = Field(description="Where the document itself lives, when it is on the web.")
    accessed: date | None
    sha256: str = Field(description="SHA-256 of the text, UTF-8 encoded, as hex.")
    length: int = Field(description="Characters (Unicode code points) in the text.")
    page_url: str
    facts_url: str
    annotations_url: str = Field(description="Its citations as a W3C AnnotationCollection.")


class SourceDetail(Source):
    text: str = Field(description="The verbatim text; citation offsets count its code points.")


class Citation(Schema):
    source: SourceRef
    quote: str
    start: int = Field(description="Offset of the quote's first character in the source's text.")
    end: int = Field(description="Offset just past its last character.")
    paragraph: int
    locator: str
    source_page_url: str = Field(description="The passage, highlighted on the source's page.")
    is_broken: bool = Field(description="The source changed and the quote is no longer at these offsets.")
    broken_reason: str
    annotation_url: str | None


class Fact(Schema):
    key: str
    text: str
    film: FilmRef
    topic: TopicRef
    people: list[PersonRef]
    is_spoiler: bool = Field(description="Reveals the plot or ending.")
    published_at: datetime = Field(description="When the fact was first published.")
    updated_at: datetime
    permalink: str
    api_url: str
    annotations_url: str
    citations: list[Citation]


class FilmPage(Schema):
    items: list[Film]
    next: str | None = Field(description="The next page (same parameters, a cursor), or null on the last.")


class PersonPage(Schema):
    items: list[Person]
    next: str | None


class TopicPage(Schema):
    items: list[Topic]
    next: str | None


class SourcePage(Schema):
    items: list[Source]
    next: str | None


class FactPage(Schema):
    items: list[Fact]
    next: str | None


class ParameterError(Schema):
    message: str
    code: str


class Problem(Schema):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, list[ParameterError]] | None = Field(None, description="What is wrong with each parameter.")


class Index(Schema):
    films: str
    people: str
    topics: str
    sources: str
    facts: str
    openapi: str
    documentation: str
    feed: str


# --- W3C Web Annotations (JSON-LD), as trivia/annotations.py writes them -------------------------


class Selector(Schema):
    type: Literal["TextQuoteSelector", "TextPositionSelector"]
    exact: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None
    end: int | None = None


class Target(Schema):
    source: str = Field(description="The source's page.")
    selector: list[Selector]


class Body(Schema):
    id: str = Field(description="The fact's permalink.")
    type: str
    format: str
    language: str


class Agent(Schema):
    id: str
    type: str
    name: str


class Annotation(Schema):
    id: str
    type: Literal["Annotation"]
    motivation: str
    created: datetime
    modified: datetime
    generator: Agent
    body: Body
    target: Target


class PartOf(Schema):
    id: str
    label: str
    total: int


class AnnotationPage(Schema):
    context: str | None = Field(None, alias="@context")
    id: str
    type: Literal["AnnotationPage"]
    partOf: PartOf | None = None  # noqa: N815 - the Web Annotation vocabulary's name
    startIndex: int  # noqa: N815 - the Web Annotation vocabulary's name
    next: str | None = None
    prev: str | None = None
    items: list[Annotation]


class AnnotationCollection(Schema):
    context: str = Field(alias="@context")
    id: str
    type: Literal["AnnotationCollection"]
    label: str
    total: int
    first: AnnotationPage | str | None = None
    last: str | None = None


class StandaloneAnnotation(Annotation):
    context: str = Field(alias="@context")
