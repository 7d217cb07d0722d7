"""Model invariants: checked by `full_clean()`, by `save()`, and by the database itself."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError

from tests.factories import CitationFactory, FactFactory, FilmFactory, PersonFactory, SourceFactory, TopicFactory
from trivia.models import Citation, Credit, Fact, Film, Person, Source, Topic, new_fact_key

pytestmark = pytest.mark.django_db


def make_citation(source, quote, start=None, end=None, fact=None):
    start = source.content.index(quote) if start is None else start
    end = start + len(quote) if end is None else end
    return Citation(fact=fact or FactFactory(), source=source, quote=quote, start=start, end=end)


class CitationInvariantTests:
    def test_a_matching_citation_is_valid_and_gets_its_paragraph(self):
        source = SourceFactory(content="One.\n\nTwo words here.\n\nThree.")
        citation = make_citation(source, "words here")
        citation.full_clean()
        citation.save()
        assert citation.paragraph == 2
        assert citation.locator == "paragraph 2"

    def test_full_clean_rejects_offsets_that_do_not_match_the_quote(self):
        source = SourceFactory(content="The film went over budget.")
        citation = make_citation(source, "over budget", start=0, end=len("over budget"))
        with pytest.raises(ValidationError) as excinfo:
            citation.full_clean()
        assert "quote" in excinfo.value.message_dict

    def test_save_rejects_offsets_that_do_not_match_the_quote(self):
        """Regression guard: code that skips forms (services, shell) must not store a wrong citation."""
        source = SourceFactory(content="The film went over budget.")
        citation = make_citation(source, "over budget", start=1, end=1 + len("over budget"))
        with pytest.raises(ValidationError):
            citation.save()
        assert Citation.objects.count() == 0

    def test_a_citation_running_past_the_content_is_rejected(self):
        source = SourceFactory(content="Short.")
        citation = make_citation(source, "Short.xx", start=0, end=8)
        with pytest.raises(ValidationError) as excinfo:
            citation.full_clean()
        assert "past the end" in str(excinfo.value)

    def test_a_broken_citation_may_keep_stale_offsets(self):
        source = SourceFactory(content="Text that changed.")
        citation = make_citation(source, "gone words", start=0, end=len("gone words"))
        citation.is_broken = True
        citation.broken_reason = "The quote no longer occurs in the source."
        citation.save()
        assert Citation.objects.get().is_broken

    def test_database_refuses_start_not_before_end(self):
        citation = CitationFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.filter(pk=citation.pk).update(start=F("end"))

    def test_database_refuses_offsets_that_disagree_with_the_quote_length(self):
        citation = CitationFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.filter(pk=citation.pk).update(end=F("end") + 1)

    def test_the_same_passage_cannot_be_cited_twice_by_one_fact(self):
        citation = CitationFactory()
        duplicate = Citation(
            fact=citation.fact, source=citation.source, quote=citation.quote, start=citation.start, end=citation.end
        )
        with pytest.raises(ValidationError):
            duplicate.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.bulk_create([duplicate])


class SourceTests:
    def test_sha256_is_stored_and_follows_the_content(self):
        source = SourceFactory(content="Original text.")
        first = source.sha256
        assert len(first) == 64
        source.content = "Corrected text."
        source.save()
        source.refresh_from_db()
        assert source.sha256 != first

    def test_line_endings_are_normalised_on_save(self):
        source = SourceFactory(content="one\r\ntwo\rthree")
        source.refresh_from_db()
        assert source.content == "one\ntwo\nthree"

    def test_a_cited_source_cannot_be_deleted(self):
        citation = CitationFactory()
        with pytest.raises(ProtectedError):
            citation.source.delete()

    def test_an_empty_source_is_a_validation_error(self):
        source = Source(title="Empty", slug="empty", content="   \n ")
        with pytest.raises(ValidationError) as excinfo:
            source.full_clean()
        assert "content" in excinfo.value.message_dict

    def test_a_javascript_url_is_refused(self):
        source = SourceFactory.build(url="javascript:alert(1)")
        with pytest.raises(ValidationError) as excinfo:
            source.full_clean()
        assert "url" in excinfo.value.message_dict


class ConstraintTests:
    def test_film_year_must_be_plausible(self):
        with pytest.raises(ValidationError):
            Film(title="Future", year=3000, slug="future-3000").full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            Film.objects.bulk_create([Film(title="Future", year=3000, slug="future-3000")])

    def test_slugs_are_unique(self):
        TopicFactory(slug="production", name="Production")
        with pytest.raises(IntegrityError), transaction.atomic():
            Topic.objects.bulk_create([Topic(slug="production", name="Other")])

    def test_fact_status_is_one_of_the_choices_even_in_raw_sql_paths(self):
        fact = FactFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Fact.objects.filter(pk=fact.pk).update(status="pending")

    def test_fact_keys_are_unique_and_readable(self):
        keys = {new_fact_key() for _ in range(200)}
        assert len(keys) == 200
        assert all(len(k) == 10 and not set(k) & set("lo01i") for k in keys)


class NaturalKeyTests:
    def test_every_model_round_trips_through_its_natural_key(self):
        citation = CitationFactory()
        person = PersonFactory()
        credit = Credit.objects.create(film=citation.fact.film, person=person, role=Credit.Role.ACTOR)
        for obj in (citation.fact.film, person, citation.fact.topic, citation.source, citation.fact, citation, credit):
            model = type(obj)
            assert model.objects.get_by_natural_key(*obj.natural_key()) == obj

    def test_urls_are_reversed_from_natural_identifiers(self):
        citation = CitationFactory()
        fact = citation.fact
        assert fact.get_absolute_url() == f"/facts/{fact.key}/"
        assert fact.film.get_absolute_url() == f"/films/{fact.film.slug}/"
        assert citation.get_absolute_url() == f"/sources/{citation.source.slug}/#c{citation.start}-{citation.end}"
        assert Person(slug="x").get_absolute_url() == "/people/x/"
        assert FilmFactory.build(slug="y").get_absolute_url() == "/films/y/"
