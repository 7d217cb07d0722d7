"""The display token the database keeps per fact (trivia/fact_tokens.py).

Pages are to be cached under a digest of their facts' tokens, so a token must change
whenever anything a page shows of its fact changes — whoever writes: the ORM, an
`update()`, bulk SQL, either `loaddata` path — and must not change for writes no page
shows (search documents, a no-op save), or the cache would be emptied for nothing. (The
suite also checks after every database test that each fact has a token: tests/conftest.py.)
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from tests.factories import CitationFactory, FactFactory, FilmFactory, PersonFactory, SourceFactory, TopicFactory
from tests.test_fixture_fast_path import dumped_fixture
from tests.test_fixtures_roundtrip import build_knowledge_base, empty_trivia_tables
from trivia import bulk, fact_tokens
from trivia.models import Citation, Fact, Person, Source, Topic
from trivia.search import rebuild_search_index

pytestmark = pytest.mark.django_db


def token(fact) -> int | None:
    return fact_tokens.tokens_of([fact.pk]).get(fact.pk)


def all_tokens() -> dict[int, int]:
    return fact_tokens.tokens_of(Fact.objects.values_list("pk", flat=True))


class Watch:
    """The tokens of `changed` (which must all change) and `unchanged` (which must not), before a write."""

    def __init__(self, changed=(), unchanged=()):
        self.changed, self.unchanged = list(changed), list(unchanged)
        self.before = {fact.pk: token(fact) for fact in self.changed + self.unchanged}
        assert None not in self.before.values()

    def check(self):
        for fact in self.changed:
            assert token(fact) not in (None, self.before[fact.pk]), f"the token of {fact.key} did not change"
        for fact in self.unchanged:
            assert token(fact) == self.before[fact.pk], f"the token of {fact.key} changed"


# --- 1, 2: facts added and deleted ------------------------------------------------------------


def test_a_new_fact_gets_a_token_and_a_reused_id_a_new_one():
    fact = FactFactory()
    assert token(fact) is not None
    old = token(fact)
    pk = fact.pk
    with connection.cursor() as cursor:
        # An id coming back after a rollback or a flush, over a row left behind.
        cursor.execute("DELETE FROM trivia_fact WHERE id = %s", [pk])
        cursor.execute(f"INSERT INTO {fact_tokens.TOKEN_TABLE} (fact_id, token) VALUES (%s, %s)", [pk, old])
    again = FactFactory(pk=pk)
    assert token(again) not in (None, old)


def test_facts_get_different_tokens():
    facts = FactFactory.create_batch(20)
    assert len(set(fact_tokens.tokens_of(fact.pk for fact in facts).values())) == 20


def test_a_deleted_facts_token_goes_with_it():
    gone, kept = FactFactory.create_batch(2)
    watch = Watch(unchanged=[kept])
    gone.delete()
    assert fact_tokens.tokens_of([gone.pk]) == {}
    watch.check()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="TRUNCATE is PostgreSQL's")
def test_truncating_the_facts_empties_the_tokens():
    CitationFactory()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign key checks pending: TRUNCATE refuses them
        cursor.execute("TRUNCATE trivia_citation, trivia_fact_people, trivia_fact")
        cursor.execute(f"SELECT count(*) FROM {fact_tokens.TOKEN_TABLE}")
        assert cursor.fetchone() == (0,)


# --- 3: the fact's own columns ----------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"text": "A new claim."}, {"is_spoiler": True}, {"position": 9}, {"status": Fact.Status.DRAFT}],
    ids=lambda change: next(iter(change)),
)
def test_a_shown_column_changed_by_update_renews_the_facts_token(change):
    fact, other = FactFactory.create_batch(2)
    watch = Watch(changed=[fact], unchanged=[other])
    Fact.objects.filter(pk=fact.pk).update(**change)
    watch.check()


def test_moving_a_fact_to_another_topic_renews_its_token():
    fact, other = FactFactory.create_batch(2)
    watch = Watch(changed=[fact], unchanged=[other])
    fact.topic = TopicFactory()
    fact.save()
    watch.check()


def test_search_documents_rewritten_and_a_save_without_changes_keep_every_token():
    fact = CitationFactory(fact__people=[PersonFactory()]).fact
    before = all_tokens()
    Fact.objects.update(search_document="")
    rebuild_search_index()
    assert Fact.objects.get(pk=fact.pk).search_document != ""
    Fact.objects.get(pk=fact.pk).save()  # updated_at and lock_version move; nothing shown does
    assert all_tokens() == before


# --- 4, 5: citations and people links ---------------------------------------------------------


def test_adding_changing_and_removing_a_citation_renews_its_facts_token():
    fact, other = FactFactory.create_batch(2)
    source = SourceFactory()
    watch = Watch(changed=[fact], unchanged=[other])
    citation = CitationFactory(fact=fact, source=source)
    watch.check()

    watch = Watch(changed=[fact], unchanged=[other])
    Citation.objects.filter(pk=citation.pk).update(is_broken=True, broken_reason="The source changed.")
    watch.check()
    Citation.objects.filter(pk=citation.pk).update(is_broken=False, broken_reason="")

    watch = Watch(changed=[fact], unchanged=[other])
    citation.delete()
    watch.check()


def test_a_citation_moved_to_another_fact_renews_both_tokens():
    citation = CitationFactory()
    fact, other, bystander = citation.fact, FactFactory(), FactFactory()
    watch = Watch(changed=[fact, other], unchanged=[bystander])
    Citation.objects.filter(pk=citation.pk).update(fact=other)
    watch.check()


def test_linking_and_unlinking_a_person_renews_the_facts_token():
    fact, other = FactFactory.create_batch(2)
    person = PersonFactory()
    watch = Watch(changed=[fact], unchanged=[other])
    fact.people.add(person)
    watch.check()
    watch = Watch(changed=[fact], unchanged=[other])
    fact.people.remove(person)
    watch.check()


# --- 6–9: the rows a fact shows ---------------------------------------------------------------


def test_renaming_a_person_renews_the_facts_that_mention_them():
    person = PersonFactory()
    mentions, other = FactFactory(people=[person]), FactFactory(people=[PersonFactory()])
    watch = Watch(changed=[mentions], unchanged=[other])
    Person.objects.filter(pk=person.pk).update(name="Someone Else")
    watch.check()


def test_a_retitled_source_renews_the_facts_that_cite_it():
    citation = CitationFactory()
    other = CitationFactory().fact
    watch = Watch(changed=[citation.fact], unchanged=[other])
    Source.objects.filter(pk=citation.source_id).update(title="A better title")
    watch.check()


def test_a_sources_text_is_watched_too():
    """Its text is shown (the passage around each quote), so a change to it renews the facts citing it."""
    watched = {field.column for field in Source._meta.concrete_fields} - fact_tokens.NOT_SHOWN
    assert "content" in watched and "lock_version" not in watched
    name = f"{fact_tokens.TRIGGER}_source_update"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [name])
        else:
            cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = %s", [name])
        (definition,) = cursor.fetchone()
    assert "content" in definition and "lock_version" not in definition and "updated_at" not in definition


def test_renaming_a_topic_renews_its_facts_and_a_no_op_update_renews_none():
    fact, other = FactFactory.create_batch(2)
    before = all_tokens()
    Topic.objects.filter(pk=fact.topic_id).update(order=F("order"))  # the benchmark's "edit"
    Topic.objects.filter(pk=fact.topic_id).update(name=F("name"), slug=F("slug"))
    assert all_tokens() == before

    watch = Watch(changed=[fact], unchanged=[other])
    Topic.objects.filter(pk=fact.topic_id).update(name="Renamed topic")
    watch.check()
    watch = Watch(changed=[fact], unchanged=[other])
    Topic.objects.filter(pk=fact.topic_id).update(order=F("order") + 1)
    watch.check()


def test_a_retitled_film_renews_its_facts():
    film = FilmFactory()
    facts, other = FactFactory.create_batch(3, film=film), FactFactory()
    watch = Watch(changed=facts, unchanged=[other])
    film.title = "Retitled"
    film.save()
    watch.check()


# --- Every writer ---------------------------------------------------------------------------


@pytest.mark.parametrize("tables_hold_rows", [False, True], ids=["fast path", "stock path"])
def test_loaddata_leaves_every_fact_a_new_token_and_the_fixture_unchanged(tmp_path, tables_hold_rows):
    build_knowledge_base()
    old_tokens = set(all_tokens().values())
    fixture = dumped_fixture(tmp_path)
    assert "token" not in fixture.read_text()
    empty_trivia_tables()
    assert all_tokens() == {}
    if tables_hold_rows:
        FactFactory()

    call_command("loaddata", str(fixture), stdout=StringIO())

    tokens = all_tokens()
    assert len(tokens) == Fact.objects.count() > 1
    assert not old_tokens & set(tokens.values()), "a reloaded fact got back a token it had before"
    assert fact_tokens.problems() == []
    if not tables_hold_rows:
        assert dumped_fixture(tmp_path, "again.json").read_bytes() == fixture.read_bytes()


def test_bulk_writes_keep_the_tokens():
    template = FactFactory()
    created = bulk.create(Fact, [Fact(film=template.film, topic=template.topic, text=f"Bulk {n}.") for n in range(3)])
    assert None not in [token(fact) for fact in created]

    watch = Watch(changed=created[:2], unchanged=[created[2], template])
    for fact in created[:2]:
        fact.text += " Edited."
    bulk.update(Fact, created[:2], ["text"])
    watch.check()

    bulk.delete_facts(Fact.objects.filter(pk__in=[fact.pk for fact in created]))
    assert fact_tokens.tokens_of(fact.pk for fact in created) == {}
    assert fact_tokens.problems() == []


# --- Reading them -----------------------------------------------------------------------------


def test_with_tokens_reads_each_facts_token_in_lists_orders_and_slices():
    facts = FactFactory.create_batch(4)
    tokens = fact_tokens.tokens_of(fact.pk for fact in facts)
    rows = list(fact_tokens.with_tokens(Fact.objects.all()).order_by("-pk").values_list("pk", "display_token")[:3])
    assert rows == [(fact.pk, tokens[fact.pk]) for fact in reversed(facts)][:3]
    ordered = fact_tokens.with_tokens(Fact.objects.all()).order_by("display_token")
    assert [fact.display_token for fact in ordered] == sorted(tokens.values())
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {fact_tokens.TOKEN_TABLE} WHERE fact_id = %s", [facts[0].pk])
    assert fact_tokens.with_tokens(Fact.objects.filter(pk=facts[0].pk)).get().display_token is None
    fact_tokens.fill_missing(connection)


def test_tokens_of_takes_one_query():
    facts = FactFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        assert set(fact_tokens.tokens_of(fact.pk for fact in facts)) == {fact.pk for fact in facts}
    assert len(queries) == 1


def test_check_citations_reports_a_fact_without_a_token():
    fact = FactFactory()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {fact_tokens.TOKEN_TABLE} WHERE fact_id = %s", [fact.pk])
    with pytest.raises(CommandError, match="1 problem"):
        call_command("check_citations", stdout=StringIO(), stderr=StringIO())
    assert fact_tokens.problems() == [f"Fact {fact.pk} has no display token."]
    assert fact_tokens.fill_missing(connection) == 1
    assert fact_tokens.problems() == []


# --- Migrations -------------------------------------------------------------------------------


def test_triggers_lost_are_put_back_and_facts_written_meanwhile_get_tokens():
    fact = FactFactory()
    fact_tokens._drop_triggers(connection)
    unseen = FactFactory()
    assert token(unseen) is None
    assert f"Display-token trigger {fact_tokens.TRIGGER}_fact_insert is missing." in fact_tokens.problems()

    fact_tokens.ensure(sender=None, using="default")

    assert token(unseen) is not None
    assert fact_tokens.problems() == []
    watch = Watch(changed=[fact])
    Fact.objects.filter(pk=fact.pk).update(text="Watched again.")
    watch.check()


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite rebuilds a table to alter it")
@pytest.mark.django_db(transaction=True)  # schema changes cannot run inside a test's transaction on SQLite
def test_a_migration_rebuilding_the_fact_table_keeps_working_and_renews_every_token():
    """A film's trigger names the fact table: SQLite refuses to rename a rebuilt table while it does."""
    fact, other = FactFactory.create_batch(2)
    watch = Watch(changed=[fact, other])
    plan = [(MigrationLoader(connection).get_migration("trivia", fact_tokens.TOKENS_MIGRATION), False)]
    emit_pre_migrate_signal(0, False, "default", plan=plan)
    with connection.schema_editor() as editor:
        editor._remake_table(Fact)  # what altering a fact field does on SQLite
    emit_post_migrate_signal(0, False, "default", plan=plan)

    watch.check()  # the migration may have changed what they show, unseen
    assert fact_tokens.problems() == []
    watch = Watch(changed=[fact], unchanged=[other])
    fact.film.title = "Retitled"
    fact.film.save()
    watch.check()
