"""Full-text search: what it finds, how it ranks, and that the index follows every write.

Runs on whichever database the suite uses (SQLite's FTS5 table or PostgreSQL's GIN
index); `make test-postgres` runs it on the other.
"""

import random
import string
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import CitationFactory, FactFactory, PersonFactory, SourceFactory
from trivia import search
from trivia.models import Fact, Person
from trivia.search import rebuild_search_index
from trivia.services import importing
from trivia.services.seeding import seed_from_spec

pytestmark = pytest.mark.django_db


def found(q, queryset=None):
    """Keys of the facts a search for `q` finds, best first."""
    queryset = Fact.objects.all() if queryset is None else queryset
    return [fact.key for fact in search.search_facts(queryset, q).order_by("-search_rank", "pk")]


def assert_index_consistent():
    """On SQLite, FTS5 checks its index against `trivia_fact.search_document` row by row."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}, rank) VALUES ('integrity-check', 1)")


# --- Folding and query building (no database needed, but cheap) ---------------------


def test_fold_removes_case_accents_and_compatibility_forms():
    assert search.fold("Héckroth ÉMERIC ﬁlm Straße") == "heckroth emeric film strasse"


def test_search_document_keeps_only_words():
    document = search.build_search_document("J. Arthur Rank's film!", ["Moira Shearer"], ["“The Red Shoes” (1948)"])
    assert document == "j arthur rank s film moira shearer the red shoes 1948"


@pytest.mark.parametrize(
    "q",
    ['"', "*", "NEAR(a b)", "-x", "a:b", "(", ")", "\x00", "\x01\x02", "' OR 1=1 --", "^", "{x}", "AND OR NOT"],
)
def test_query_syntax_characters_never_reach_the_database_as_syntax(q):
    terms = search.query_terms(q)
    for term in terms:
        assert search.WORD.fullmatch(term.rstrip(search.PREFIX_MARK))
    # And the database accepts whatever is left.
    list(search.search_facts(Fact.objects.all(), q))


def test_query_is_capped_in_words_and_word_length():
    terms = search.query_terms(" ".join(f"word{n}" for n in range(100)) + " " + "x" * 5000)
    assert len(terms) == search.MAX_QUERY_TERMS
    assert search.query_terms("y" * 5000) == ["y" * search.MAX_TERM_LENGTH + "*"]


def test_star_after_a_word_of_three_letters_or_more_asks_for_a_prefix():
    assert search.query_terms("paint* a* Heck*") == ["paint*", "a", "heck*"]


def test_highlight_marks_matching_words_and_escapes_everything_else():
    html = search.highlight("<b>Héckroth</b> & heckroth's paintings", "heckroth paint*")
    assert html == "&lt;b&gt;<mark>Héckroth</mark>&lt;/b&gt; &amp; <mark>heckroth</mark>&#x27;s <mark>paintings</mark>"


def test_highlight_marks_whole_words_only_without_a_star():
    assert search.highlight("painter paint", "paint") == "painter <mark>paint</mark>"


def test_highlight_without_a_query_only_escapes():
    assert search.highlight("a <i>b</i>", "") == "a &lt;i&gt;b&lt;/i&gt;"


# --- What search finds ---------------------------------------------------------------


def test_finds_a_fact_by_a_word_of_its_text(seeded):
    assert found("budget") == ["over-budget"]


def test_finds_facts_by_the_name_of_a_person_they_mention():
    heckroth = PersonFactory(name="Hein Heckroth", slug="hein-heckroth")
    fact = FactFactory(text="The ballet used over a hundred paintings.", people=[heckroth])
    FactFactory(text="Unrelated.")
    assert found("Heckroth") == [fact.key]


def test_first_name_finds_the_person():
    moira = PersonFactory(name="Moira Shearer", slug="moira-shearer")
    fact = FactFactory(text="She married in 1950.", people=[moira])
    assert found("Moira") == [fact.key]


def test_finds_a_fact_by_its_cited_quote_only():
    fact = FactFactory(text="The painted backdrops were made by hand.")
    CitationFactory(fact=fact)  # quotes "The studio doubted the picture from the first day of shooting."
    assert found("doubted") == [fact.key]


def test_case_and_accents_do_not_matter():
    fact = FactFactory(text="Émeric Pressburger wrote it with Michael Powell.")
    for q in ["emeric", "EMERIC", "Émeric", "éMÉRIC", "Emeric PRESSBURGER"]:
        assert found(q) == [fact.key], q


def test_every_word_must_match():
    both = FactFactory(text="Heckroth painted the ballet.")
    FactFactory(text="Heckroth designed the costumes.")
    assert found("heckroth ballet") == [both.key]


def test_a_word_matches_whole_words_unless_it_ends_with_a_star():
    fact = FactFactory(text="It used 120 paintings.")
    assert found("painting") == []
    assert found("paint*") == [fact.key]


def test_more_occurrences_rank_higher():
    once = FactFactory(text="Heckroth designed it, with many other artists and a large team of painters.")
    thrice = FactFactory(text="Heckroth, Heckroth and again Heckroth.")
    assert found("heckroth") == [thrice.key, once.key]


def test_query_without_words_finds_nothing():
    FactFactory(text="Anything.")
    assert found('"*(-') == []


def test_search_respects_the_queryset_it_is_given():
    FactFactory(text="Heckroth draft.", status=Fact.Status.DRAFT)
    published = FactFactory(text="Heckroth published.")
    assert found("heckroth", Fact.objects.published()) == [published.key]


# --- The index follows every write ----------------------------------------------------


def test_new_fact_is_found_and_edited_text_is_found_by_its_new_words_only():
    fact = FactFactory(text="The first version.")
    assert found("first") == [fact.key]
    fact.text = "The corrected version."
    fact.save()
    assert found("first") == []
    assert found("corrected") == [fact.key]
    assert_index_consistent()


def test_deleted_fact_is_no_longer_found():
    fact = FactFactory(text="Soon gone.")
    fact.delete()
    assert found("gone") == []
    assert_index_consistent()


def test_adding_removing_and_clearing_people_updates_the_index_both_ways():
    fact = FactFactory(text="A fact.")
    moira = PersonFactory(name="Moira Shearer", slug="moira-shearer")
    fact.people.add(moira)
    assert found("shearer") == [fact.key]
    fact.people.remove(moira)
    assert found("shearer") == []
    moira.facts.add(fact)  # from the person's side
    assert found("shearer") == [fact.key]
    moira.facts.clear()
    assert found("shearer") == []
    fact.people.set([moira])
    fact.people.clear()
    assert found("shearer") == []
    assert_index_consistent()


def test_renaming_a_person_renames_them_in_the_index():
    person = PersonFactory(name="Ludovic Kennedy", slug="ludovic-kennedy")
    fact = FactFactory(text="He married in 1950.", people=[person])
    person.name = "Sir Ludovic Kennedy"
    person.save()
    assert found("sir") == [fact.key]
    person.name = "Ludo"
    person.save()
    assert found("kennedy") == []
    assert found("ludo") == [fact.key]


def test_deleting_a_person_removes_their_name_from_the_index():
    person = PersonFactory(name="Hein Heckroth", slug="hein-heckroth")
    fact = FactFactory(text="A designer.", people=[person])
    person.delete()
    assert found("heckroth") == []
    assert found("designer") == [fact.key]


def test_adding_and_deleting_a_citation_updates_the_index():
    fact = FactFactory(text="A fact.")
    citation = CitationFactory(fact=fact)
    assert found("doubted") == [fact.key]
    citation.delete()
    assert found("doubted") == []
    assert_index_consistent()


def test_editing_a_citation_quote_updates_the_index():
    source = SourceFactory()
    citation = CitationFactory(source=source)
    quote = "A painter designed every backdrop"
    citation.quote = quote
    citation.start = source.content.index(quote)
    citation.end = citation.start + len(quote)
    citation.save()
    assert found("backdrop") == [citation.fact.key]
    assert found("doubted") == []


def test_search_document_is_not_saved_stale_by_a_later_save_of_the_same_instance():
    fact = FactFactory(text="One.")
    fact.people.add(PersonFactory(name="Moira Shearer", slug="moira-shearer"))
    fact.refresh_from_db()
    fact.save()  # the in-memory document includes the name, so nothing is lost
    assert found("moira") == [fact.key]


@pytest.mark.django_db(transaction=True)  # flush cannot run inside a test's transaction on PostgreSQL
def test_loaddata_rebuilds_the_index_for_loaded_facts(tmp_path):
    seed_from_spec()
    dump = tmp_path / "trivia.json"
    call_command("dumpdata", "trivia", natural_foreign=True, natural_primary=True, output=str(dump), stdout=StringIO())
    before = {q: found(q) for q in ["heckroth", "moira", "doubted", "walked", "woodsman", "premiere"]}
    call_command("flush", interactive=False, verbosity=0)
    assert found("heckroth") == []
    call_command("loaddata", str(dump), verbosity=0)
    after = {q: found(q) for q in before}
    assert after == before
    assert after["heckroth"] and after["moira"]
    assert_index_consistent()


def test_rebuild_search_index_repairs_documents_written_behind_the_signals_back(seeded):
    Fact.objects.update(search_document="")
    Person.objects.filter(slug="moira-shearer").update(name="Moira King")
    assert found("heckroth") == []
    changed = rebuild_search_index()
    assert changed == Fact.objects.count()
    assert found("heckroth")
    assert len(found("king")) == 2
    assert rebuild_search_index() == 0
    assert_index_consistent()


def test_rebuild_search_index_command_reports_what_it_changed(seeded):
    Fact.objects.filter(key="over-budget").update(search_document="stale")
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "1 of 19 facts" in out.getvalue()
    assert found("budget") == ["over-budget"]


def test_rebuild_search_index_command_refuses_a_batch_size_below_one():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="at least 1"):
        call_command("rebuild_search_index", batch_size=0, stdout=StringIO())


def test_fts_index_covers_bulk_created_facts_once_documents_are_rebuilt(seeded):
    """The demo-data generator writes with bulk_create and then rebuilds: search must see those facts."""
    template = Fact.objects.get(key="over-budget")
    Fact.objects.bulk_create(
        [Fact(key=f"bulk-{n}", film=template.film, topic=template.topic, text=f"Bulk zeppelin {n}.") for n in range(3)]
    )
    rebuild_search_index()
    assert sorted(found("zeppelin")) == ["bulk-0", "bulk-1", "bulk-2"]


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the FTS5 triggers exist only on SQLite")
def test_lost_sqlite_triggers_are_put_back_and_the_index_rebuilt():
    """A migration that rebuilds the fact table on SQLite drops its triggers; post_migrate restores them."""
    fact = FactFactory(text="Before the table rebuild.")
    with connection.cursor() as cursor:
        for name in search.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    FactFactory(text="Written while the triggers were missing: unrebuilt.")
    assert found("unrebuilt") == []
    assert search.ensure_sqlite_index(connection) is True
    assert found("unrebuilt") != []
    assert found("before") == [fact.key]
    assert search.ensure_sqlite_index(connection) is False
    assert_index_consistent()


# --- Query plans: the index is used, whatever the number of facts ---------------------


def query_plan(queryset, prefix: str, setup: str = "") -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if setup:
            cursor.execute(setup)
        cursor.execute(prefix + sql, params)
        return [str(row[-1]) for row in cursor.fetchall()]


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="FTS5 is the SQLite index")
def test_sqlite_runs_match_once_then_looks_facts_up_by_id():
    """Regression: with the status index in play SQLite could re-run MATCH (and bm25's count) for every fact."""
    FactFactory(text="Heckroth.")
    queryset = search.search_facts(Fact.objects.published().filter(is_spoiler=False), "heckroth")
    steps = query_plan(queryset.order_by("-search_rank"), "EXPLAIN QUERY PLAN ")
    assert steps[0].startswith(f"SCAN {search.FTS_TABLE} VIRTUAL TABLE")
    assert steps[1].startswith("SEARCH trivia_fact USING INTEGER PRIMARY KEY")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the GIN index exists on PostgreSQL")
def test_postgresql_search_reads_the_gin_index_over_the_stored_vector():
    FactFactory(text="Heckroth.")
    queryset = search.search_facts(Fact.objects.all(), "heckroth")
    plan = "\n".join(query_plan(queryset, "EXPLAIN ", setup="SET LOCAL enable_seqscan = off"))
    assert search.POSTGRES_VECTOR_INDEX in plan


# --- Very long documents (a whole imported paragraph) ------------------------------------------


def random_words_document(count: int, seed: int = 7) -> str:
    """One paragraph of `count` distinct-looking random words, as in the hostile-testing report."""
    rng = random.Random(seed)
    return " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 12))) for _ in range(count)
    )


def test_a_very_long_document_keeps_each_word_once_within_the_index_limit():
    document = search.build_search_document(random_words_document(230_000))
    words = document.split()
    assert len(words) == len(set(words))
    assert sum(search.tsvector_bytes(word) for word in words) <= search.MAX_INDEXED_BYTES


def test_a_two_megabyte_paragraph_imports_and_its_words_are_found(tmp_path):
    """PostgreSQL refused to index a paragraph of ~700 KB or more (a 55-line traceback); SQLite took it."""
    content = random_words_document(230_000)[: importing.MAX_DOCUMENT_BYTES - 100]
    path = tmp_path / "p.txt"
    path.write_text(content, encoding="utf-8")
    call_command("import_source", str(path), "--title", "D", "--film", "F", "--year", "1950", stdout=StringIO())

    fact = Fact.objects.get(film__title="F")
    first_words = content.split()[:3]
    assert found(" ".join(first_words)) == [fact.key]
    assert_index_consistent()
