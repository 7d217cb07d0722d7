"""factory_boy factories for the trivia models.

`CitationFactory` always cites a real span of its source, so objects built here pass
the citation invariant like seeded ones do.
"""

import factory

from trivia.models import Citation, Credit, Fact, Film, Person, Source, Topic

PARAGRAPHS = [
    "The studio doubted the picture from the first day of shooting.",
    "A painter designed every backdrop of the long dream sequence by hand.",
    "The lead actor learned to dance in six months and never used a double.",
]


class FilmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Film
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Film {n}")
    year = 1950
    slug = factory.LazyAttribute(lambda o: f"{o.title.lower().replace(' ', '-')}-{o.year}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-").replace(".", ""))
    description = "A person for tests."


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    order = factory.Sequence(lambda n: n)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    kind = Source.Kind.DOCUMENT
    content = factory.Sequence(lambda n: "\n\n".join(PARAGRAPHS) + f"\n\nSource number {n}.")


class FactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fact
        skip_postgeneration_save = True

    film = factory.SubFactory(FilmFactory)
    topic = factory.SubFactory(TopicFactory)
    text = factory.Sequence(lambda n: f"Fact number {n} about the film.")
    status = Fact.Status.PUBLISHED

    @factory.post_generation
    def people(self, create, extracted, **kwargs):
        if create and extracted:
            self.people.set(extracted)


class CitationFactory(factory.django.DjangoModelFactory):
    """Cites `quote` (default: the source's first paragraph) at its first occurrence."""

    class Meta:
        model = Citation

    fact = factory.SubFactory(FactFactory)
    source = factory.SubFactory(SourceFactory)
    quote = factory.LazyAttribute(lambda o: o.source.content.split("\n\n")[0])
    start = factory.LazyAttribute(lambda o: o.source.content.index(o.quote))
    end = factory.LazyAttribute(lambda o: o.start + len(o.quote))


class CreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credit

    film = factory.SubFactory(FilmFactory)
    person = factory.SubFactory(PersonFactory)
    role = Credit.Role.ACTOR
