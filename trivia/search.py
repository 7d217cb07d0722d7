"""Full-text search over facts, the same behaviour on SQLite and PostgreSQL.

Both databases index `Fact.search_document`: the fact's text, its people's names and its
quotes, folded here in Python (case, accents, compatibility forms) to plain words. So
"Héckroth" and "HECKROTH" are one word on both, and a query is rebuilt from its words
alone: no FTS5 or tsquery syntax from a user ever reaches the database. SQLite keeps an
FTS5 table in step by triggers (ranked with bm25); PostgreSQL a stored tsvector with a
GIN index (ranked with ts_rank, 'simple' configuration, as FTS5 matches words).
"""

import re
import time
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import BooleanField, Expression, FloatField, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import bulk
from .models import Citation, Fact

# A word: letters and digits of any script (`\w` without the underscore).
WORD = re.compile(r"[^\W_]+")
# A query word, with the `*` that asks for a prefix match.
QUERY_WORD = re.compile(r"([^\W_]+)(\*?)")
# A word as written in stored text, where accents may still be separate combining marks.
WRITTEN_WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+[^\W_]*)*")

# A query longer than this is cut to its first words: more words only narrow the
# result, and a pasted paragraph should not become a query of hundreds of terms.
MAX_QUERY_TERMS = 16
# Longer words are cut and matched as prefixes, so a pasted 5,000-letter "word" is harmless.
MAX_TERM_LENGTH = 64
# Past this many characters a document keeps each word once (ranking then ignores repeats)...
LONG_DOCUMENT_CHARS = 200_000
# ...and stops when PostgreSQL's measure of a tsvector reaches this, under its limit of 1 MB.
MAX_INDEXED_BYTES = 1_000_000
# A shorter `a*` stays a whole word: as a prefix it would match half the index.
PREFIX_MIN_LENGTH = 3
PREFIX_MARK = "*"

SEARCH_MIGRATION = "0002_search"
FTS_TABLE = "trivia_fact_fts"
POSTGRES_CONFIG = "simple"
POSTGRES_VECTOR_COLUMN = "search_vector"
POSTGRES_VECTOR_INDEX = "trivia_fact_search_vector_gin"

# The SQLite side, kept here so the migration and `ensure_sqlite_index()` (which
# repairs the triggers after a migration rebuilt the fact table) agree on one text.
SQLITE_CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_document, content='trivia_fact', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='3')"
)
SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_after_insert": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_insert AFTER INSERT ON trivia_fact BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document); "
        "END"
    ),
    f"{FTS_TABLE}_after_delete": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_delete AFTER DELETE ON trivia_fact BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document) "
        "VALUES ('delete', old.id, old.search_document); "
        "END"
    ),
    f"{FTS_TABLE}_after_update": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_after_update AFTER UPDATE OF id, search_document "
        "ON trivia_fact BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document) "
        "VALUES ('delete', old.id, old.search_document); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document); "
        "END"
    ),
}
SQLITE_REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"
# Merges the index's segments into one after many writes (searches read fewer b-trees).
SQLITE_OPTIMIZE = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"
# bm25() counts every fact holding each word before it ranks the first: 1.1 ms for a word in
# 37,000 of 100,000 facts, 12 ms in 376,000 of 1,000,000, and no built-in FTS5 ranking skips
# that count. So past this many facts holding all the words (counted by reading no more of
# the index than that), SQLite lists the matches newest first instead of ranking them, and
# `search_ranked` says so (docs/decisions.md, "SQLite ranks only what it can afford to").
SQLITE_RANK_LIMIT = 1000
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [f"DROP TABLE IF EXISTS {FTS_TABLE}"]

# A stored vector, not an expression index: ranking then reads the vector instead of
# re-parsing every matched document (docs/performance.md).
POSTGRES_ADD_VECTOR = (
    f"ALTER TABLE trivia_fact ADD COLUMN IF NOT EXISTS {POSTGRES_VECTOR_COLUMN} tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('{POSTGRES_CONFIG}'::regconfig, search_document)) STORED"
)
POSTGRES_CREATE_VECTOR_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {POSTGRES_VECTOR_INDEX} ON trivia_fact USING gin ({POSTGRES_VECTOR_COLUMN})"
)
POSTGRES_DROP_VECTOR = [
    f"DROP INDEX IF EXISTS {POSTGRES_VECTOR_INDEX}",
    f"ALTER TABLE trivia_fact DROP COLUMN IF EXISTS {POSTGRES_VECTOR_COLUMN}",
]

# PostgreSQL's newest matches of a word that is neither rare nor common. GIN cannot read a
# word's facts newest first, so "the newest 1,001 facts holding 'lisbon'" (2.6 % of facts)
# either walks the primary key backwards testing each vector (about 38,000 rows, ~10 ms) or
# reads every fact holding the word from GIN and sorts them (26,000 at a million facts). A
# second GIN index keys each lexeme by its fact's id bucket ("61~lisbon": ids 999,424 to
# 1,015,807), so the search reads the newest bucket's matches, then the next, and stops
# once it has enough: about 1,001 + one bucket's rows whatever the number of facts
# (newest_first; docs/performance.md, "Phase 6").
POSTGRES_RECENT_BUCKET_BITS = 14  # 16,384 ids a bucket
POSTGRES_RECENT_LEXEMES = "trivia_fact_recent_lexemes"
POSTGRES_RECENT_QUERY = "trivia_recent_tsquery"
POSTGRES_RECENT_INDEX = "trivia_fact_recent_lexemes_gin"
# The same query about one bucket: every quoted lexeme of the query's text form gets the
# bucket's prefix (operators and prefix marks are outside the quotes; a quote inside one is
# doubled). As SQL text, so the regular expression needs no escaping in Python.
_QUOTED_LEXEME = r"'((?:[^']|'')*)'"
POSTGRES_CREATE_RECENT = [
    # Each lexeme of the vector, prefixed with the bucket of the fact's id and "~".
    f"CREATE OR REPLACE FUNCTION {POSTGRES_RECENT_LEXEMES}(fact_id bigint, vector tsvector) RETURNS tsvector "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT array_to_tsvector(ARRAY("
    f"SELECT (fact_id >> {POSTGRES_RECENT_BUCKET_BITS})::text || '~' || lexeme FROM unnest(vector))) $$",
    f"CREATE OR REPLACE FUNCTION {POSTGRES_RECENT_QUERY}(bucket bigint, query tsquery) RETURNS tsquery "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT regexp_replace("
    f"query::text, $re${_QUOTED_LEXEME}$re$, '''' || bucket || $to$~\\1'$to$, 'g')::tsquery $$",
    f"CREATE INDEX IF NOT EXISTS {POSTGRES_RECENT_INDEX} ON trivia_fact "
    f"USING gin ({POSTGRES_RECENT_LEXEMES}(id, {POSTGRES_VECTOR_COLUMN}))",
]
POSTGRES_DROP_RECENT = [
    f"DROP INDEX IF EXISTS {POSTGRES_RECENT_INDEX}",
    f"DROP FUNCTION IF EXISTS {POSTGRES_RECENT_QUERY}(bigint, tsquery)",
    f"DROP FUNCTION IF EXISTS {POSTGRES_RECENT_LEXEMES}(bigint, tsvector)",
]
# A word in at least this share of the facts is found sooner by the primary-key walk: its
# 1,001 newest matches lie among the newest 16,000 facts, whose matches a bucket reads all of.
POSTGRES_DENSE_SHARE = 1 / 16
# How long a process keeps the planner's word frequencies (pg_stats) before reading them again.
POSTGRES_FREQUENCIES_SECONDS = 300
# After a bulk write GIN keeps new entries in a "pending list" that every search scans
# linearly until VACUUM; this merges both indexes' now.
POSTGRES_CLEAN_PENDING = (
    f"SELECT gin_clean_pending_list('{POSTGRES_VECTOR_INDEX}'::regclass), "
    f"gin_clean_pending_list('{POSTGRES_RECENT_INDEX}'::regclass)"
)


def fold(text: str) -> str:
    """Text with case and accents removed: "Héckroth" -> "heckroth", "ﬁlm" -> "film"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


def words(text: str) -> list[str]:
    """The folded words of `text`, punctuation and symbols dropped."""
    return WORD.findall(fold(text))


def build_search_document(text: str, names=(), quotes=()) -> str:
    """What is indexed for one fact: its words, its people's names (in name order) and its quotes, folded.

    Every write path builds the document here, so the same fact gets the same document
    whichever way it was written. A very long text (an imported paragraph of a whole
    document) is indexed by its distinct words in order of first use, cut at
    `MAX_INDEXED_BYTES`: PostgreSQL refuses a tsvector whose words pass 1 MB, and both
    databases must find the same facts.
    """
    folded = words("\n".join([text, *sorted(names), *quotes]))
    document = " ".join(folded)
    if len(document) <= LONG_DOCUMENT_CHARS:
        return document
    kept, size = [], 0
    for word in dict.fromkeys(folded):
        size += tsvector_bytes(word)
        if size > MAX_INDEXED_BYTES:
            break
        kept.append(word)
    return " ".join(kept)


def tsvector_bytes(word: str) -> int:
    """What one word with one position adds to a tsvector, as PostgreSQL counts it against its limit."""
    length = len(word.encode())
    return length + length % 2 + 4  # the word padded to an even length, a position count and one position


def query_terms(q: str | None) -> list[str]:
    """The distinct words of a user's query, in order, capped in number and length.

    A prefix term keeps its `*` ("paint*"); everything else in the query (quotes,
    brackets, operators, control characters) is dropped.
    """
    terms = []
    for word, star in QUERY_WORD.findall(fold(q or "")):
        if len(word) > MAX_TERM_LENGTH:
            word, star = word[:MAX_TERM_LENGTH], PREFIX_MARK
        term = word + PREFIX_MARK if star and len(word) >= PREFIX_MIN_LENGTH else word
        if term not in terms:
            terms.append(term)
        if len(terms) == MAX_QUERY_TERMS:
            break
    return terms


def fts5_match_expression(terms: list[str]) -> str:
    """An FTS5 query that ANDs the terms ("heckroth" "paint"*); inside quotes nothing is syntax."""
    return " ".join(f'"{term[:-1]}"*' if term.endswith(PREFIX_MARK) else f'"{term}"' for term in terms)


def tsquery_expression(terms: list[str]) -> str:
    """A raw tsquery that ANDs the quoted terms ('heckroth' & 'paint':*)."""
    return " & ".join(f"'{term[:-1]}':*" if term.endswith(PREFIX_MARK) else f"'{term}'" for term in terms)


def refresh_search_documents(fact_ids, using: str = DEFAULT_DB_ALIAS, batch_size: int = 500) -> dict[int, str]:
    """Recompute `search_document` for these facts; write only those that changed.

    Returns {fact id: document} for the changed facts. A few queries per batch,
    whatever the number of people and citations, and no signals or revisions: the
    document is derived data, not an edit. On SQLite the update trigger re-indexes.
    """
    ids = sorted({pk for pk in fact_ids if pk is not None})
    changed = {}
    for offset in range(0, len(ids), batch_size):
        batch = ids[offset : offset + batch_size]
        names = {}
        people = Fact.people.through.objects.using(using).filter(fact_id__in=batch)
        for fact_id, name in people.values_list("fact_id", "person__name"):
            names.setdefault(fact_id, []).append(name)
        quotes = {}
        citations = Citation.objects.using(using).filter(fact_id__in=batch).order_by("pk")
        for fact_id, quote in citations.values_list("fact_id", "quote"):
            quotes.setdefault(fact_id, []).append(quote)
        stale = []
        facts = Fact.objects.using(using).filter(pk__in=batch).values_list("pk", "text", "search_document")
        for pk, text, stored in facts:
            document = build_search_document(text, names.get(pk, ()), quotes.get(pk, ()))
            if document != stored:
                stale.append(Fact(pk=pk, search_document=document))
                changed[pk] = document
        bulk.update(Fact, stale, ["search_document"], using=using)
    return changed


class StoredSearchVector(Expression):
    """The fact's `search_vector` column (PostgreSQL), which the model does not declare."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name(alias)}.{compiler.quote_name(POSTGRES_VECTOR_COLUMN)}", []


class StoredSearchMatch(Expression):
    """`search_vector @@ query`, the PostgreSQL search condition.

    In a query marked with UNINDEXED_MARK it is written `(… @@ …) IS TRUE`, which no index
    answers: there the recent-lexemes index has found the candidates, and ANDing them with
    the whole word's GIN bitmap would read every fact holding the word (newest_first).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, query):
        super().__init__()
        self.query = query

    def get_source_expressions(self):
        return [self.query]

    def set_source_expressions(self, expressions):
        (self.query,) = expressions

    def as_sql(self, compiler, connection):
        vector, _ = StoredSearchVector().as_sql(compiler, connection)
        query, params = compiler.compile(self.query)
        if getattr(compiler.query, UNINDEXED_MARK, False):
            return f"(({vector} @@ {query}) IS TRUE)", params
        return f"{vector} @@ {query}", params


UNINDEXED_MARK = "search_match_unindexed"


def search_facts(queryset, q: str | None):
    """`queryset` narrowed to facts matching every word of `q`, annotated with `search_rank`.

    A higher `search_rank` is a better match on both databases, and `search_ranked` is true,
    except on SQLite when more than SQLITE_RANK_LIMIT facts hold the words: then the newest
    is the higher rank and `search_ranked` is false. A query without
    words (blank, punctuation only) matches nothing. The queryset must be over
    `Fact` and used as the outer query (not inside a subquery): on SQLite the rank
    comes from joining the FTS5 table.
    """
    terms = query_terms(q)
    ranked = Value(True, output_field=BooleanField())
    if not terms:
        # Still annotated, so callers can order by rank whatever the query was.
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()), search_ranked=ranked).none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        query = SearchQuery(tsquery_expression(terms), config=POSTGRES_CONFIG, search_type="raw")
        return queryset.filter(StoredSearchMatch(query)).annotate(
            search_rank=SearchRank(StoredSearchVector(), query), search_ranked=ranked
        )
    if vendor == "sqlite":
        # A join, not `id IN (SELECT rowid ...)`: bm25() is only available in the query
        # that runs MATCH, and one FTS cursor must serve every row (bm25 recounts the
        # term's documents per cursor). The unary `+` hides the rowid from the FTS table's
        # index choice, so SQLite always runs MATCH once as the outer loop and looks facts
        # up by primary key, instead of re-running MATCH for every published fact.
        match = fts5_match_expression(terms)
        # Past SQLITE_RANK_LIMIT facts holding the words, the rank is the fact's id (newest
        # first) and bm25() is never called. The count is an uncorrelated subquery: SQLite
        # runs it once per query, and CASE evaluates only the branch it takes.
        too_common = f"(SELECT COUNT(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s)) > %s"
        too_common_params = [match, SQLITE_RANK_LIMIT + 1, SQLITE_RANK_LIMIT]
        return queryset.extra(
            select={
                "search_rank": f"CASE WHEN {too_common} THEN {FTS_TABLE}.rowid ELSE -bm25({FTS_TABLE}) END",
                "search_ranked": f"NOT {too_common}",
            },
            select_params=[*too_common_params, *too_common_params],
            tables=[FTS_TABLE],
            where=[f"{FTS_TABLE} MATCH %s", f'+{FTS_TABLE}.rowid = "trivia_fact"."id"'],
            params=[match],
        )
    raise NotImplementedError(f"Full-text search is not set up for the {vendor} database.")


def newest_first(matches, terms=(), limit: int | None = None, narrowed: bool = False):
    """Matches from `search_facts` for `terms`, newest (highest id) first, read in an order an index gives.

    With `limit` (or a slice, on SQLite), the database stops after that many, however many
    facts match. SQLite reads FTS5's lists backwards (ordering by the fact's id instead would
    sort every match first). PostgreSQL walks the primary key backwards checking the stored
    vector, or for a rare word sorts the few facts GIN finds; but for words the planner's
    statistics say more than `limit` facts hold, none of them in POSTGRES_DENSE_SHARE of the
    facts, with nothing `narrowed` to a film, topic, person or source (whose own indexes serve
    better), it reads the recent-lexemes index a bucket at a time (`_recent_buckets`).
    """
    vendor = connections[matches.db].vendor
    if vendor == "sqlite":
        return matches.extra(order_by=[f"-{FTS_TABLE}.rowid"])
    if vendor == "postgresql" and limit is not None and not narrowed and _buckets_are_shorter(matches.db, terms, limit):
        recent_sql, recent_params = _recent_buckets(matches, terms, limit)
        # `= ANY(ARRAY(…))`: the ids are read once, first, and the facts looked up by primary key.
        # As `IN (…)` the planner may instead walk every fact and probe the ids (a semi-join).
        where = f'"{Fact._meta.db_table}"."id" = ANY(ARRAY({recent_sql}))'
        return matches.extra(where=[where], params=recent_params).order_by("-pk")
    return matches.order_by("-pk")


def _buckets_are_shorter(using: str, terms, limit: int) -> bool:
    """Whether reading buckets beats the walk and GIN for these words, by the planner's statistics (an estimate:
    either way the same facts are found). The share of facts holding them all is taken as the product of each
    word's share (0 for a word the statistics do not list, so rarer than those they do; a prefix is never
    estimated). Buckets win when that share is below POSTGRES_DENSE_SHARE (the walk would be long) and it makes
    more than `limit` facts (GIN would read and sort them all)."""
    if not terms or any(term.endswith(PREFIX_MARK) for term in terms):
        return False
    facts, shares = _word_shares(using)
    share = 1.0
    for term in terms:
        share *= shares.get(term, 0.0)
    return share < POSTGRES_DENSE_SHARE and share * facts > limit


_shares_read: dict[str, tuple[float, float, dict[str, float]]] = {}


def _word_shares(using: str) -> tuple[float, dict[str, float]]:
    """(facts, {lexeme: share of facts holding it}) from PostgreSQL's statistics: the planner's row count and the
    few hundred words it lists as most common (nothing before the table is first analyzed), kept by this process
    for POSTGRES_FREQUENCIES_SECONDS."""
    now = time.monotonic()
    read_at, facts, shares = _shares_read.get(using, (None, 0.0, {}))
    if read_at is None or now - read_at > POSTGRES_FREQUENCIES_SECONDS:
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs FROM pg_class c "
                "LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = c.relname "
                "AND s.attname = %s WHERE c.oid = 'trivia_fact'::regclass",
                [POSTGRES_VECTOR_COLUMN],
            )
            row = cursor.fetchone()
        facts = max(float(row[0]), 0.0)  # -1 before the first ANALYZE
        # The frequencies list ends with three summary figures past the words; zip stops at the words.
        shares = dict(zip(row[1], row[2], strict=False)) if row[1] else {}
        _shares_read[using] = (now, facts, shares)
    return facts, shares


def _recent_buckets(matches, terms, limit: int) -> tuple[str, list]:
    """SQL and parameters for the ids of the newest `limit` of `matches`, read from the recent-lexemes index a
    bucket at a time.

    A lateral join over the buckets from the newest fact's down: each bucket's matches are
    read from the index and sorted newest first, and LIMIT stops the loop once it has
    enough. The planner runs the bucket series in its order (a function scan is never run
    in parallel), so the first `limit` rows are the newest; tests check it against the walk.
    """
    table, vector = Fact._meta.db_table, POSTGRES_VECTOR_COLUMN
    in_bucket = (
        f'{POSTGRES_RECENT_LEXEMES}("{table}"."id", "{table}"."{vector}") @@ '
        f'{POSTGRES_RECENT_QUERY}("recent_bucket"."n", to_tsquery(%s::regconfig, %s))'
    )
    bucket = matches.extra(where=[in_bucket], params=[POSTGRES_CONFIG, tsquery_expression(terms)])
    bucket = bucket.order_by("-pk").values("pk")
    setattr(bucket.query, UNINDEXED_MARK, True)
    sql, params = bucket.query.get_compiler(using=matches.db).as_sql()
    return (
        f'SELECT "recent"."pk" FROM generate_series((SELECT MAX("id") FROM "{table}") >> '
        f'{POSTGRES_RECENT_BUCKET_BITS}, 0, -1) AS "recent_bucket"("n") '
        f'CROSS JOIN LATERAL ({sql}) "recent" LIMIT %s',
        [*params, limit],
    )


def highlight(text: str, q_or_terms) -> SafeString:
    """`text` escaped for HTML, with the words the query matches wrapped in `<mark>`."""
    terms = query_terms(q_or_terms) if isinstance(q_or_terms, str) else list(q_or_terms or ())
    if not terms:
        return escape(text)
    pieces = []
    position = 0
    for match in WRITTEN_WORD.finditer(text):
        if any(_term_matches(term, word) for word in words(match.group()) for term in terms):
            pieces.append(escape(text[position : match.start()]))
            pieces.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def _term_matches(term: str, word: str) -> bool:
    return word.startswith(term[:-1]) if term.endswith(PREFIX_MARK) else word == term


def ensure_sqlite_index(connection) -> bool:
    """Create the FTS5 table and triggers if any is missing; return True if it repaired anything.

    On SQLite, Django rebuilds a table to alter it (create, copy, drop, rename), and
    dropping the old table drops its triggers. This puts them back, then rebuilds the
    index from `search_document` so it is exact again.
    """
    if connection.vendor != "sqlite":
        return False
    if ("trivia", SEARCH_MIGRATION) not in MigrationRecorder(connection).applied_migrations():
        return False  # not migrated that far (or migrated back): the index must not exist yet
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if {FTS_TABLE, *SQLITE_TRIGGERS} <= present:
            return False
        cursor.execute(SQLITE_CREATE_TABLE)
        for statement in SQLITE_TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute(SQLITE_REBUILD)
    return True


@transaction.atomic
def rebuild_search_index(batch_size: int = 1000) -> int:
    """Recompute every fact's search document and rebuild the full-text index; return how many changed.

    For writes that bypass signals (`bulk_create`, `QuerySet.update`, raw SQL). On SQLite
    it also puts back the FTS5 triggers if a table rebuild dropped them and rebuilds the
    FTS5 index from the documents, so a damaged index is repaired too; on PostgreSQL it
    merges the GIN index's pending entries, which every search would otherwise scan.
    """
    ensure_sqlite_index(connection)
    if connection.vendor == "sqlite":
        # The update triggers tell FTS5 which words to forget; they must be the words it
        # holds, so bring the index in step with the table before changing documents.
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_REBUILD)
    changed = refresh_every_document(batch_size)
    _settle_index(connection)
    return changed


def refresh_every_document(batch_size: int = 1000) -> int:
    """Recompute every fact's search document, a batch of primary keys at a time; return how many changed."""
    changed = 0
    last_pk = 0
    while True:
        batch = list(Fact.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        changed += len(refresh_search_documents(batch, batch_size=batch_size))
        last_pk = batch[-1]
    return changed


def _settle_index(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_OPTIMIZE)
        elif connection.vendor == "postgresql":
            # After a bulk write: merge GIN's pending list and refresh the planner's row counts.
            cursor.execute(POSTGRES_CLEAN_PENDING)
            cursor.execute("ANALYZE trivia_fact")


def suspend_sqlite_index(connection) -> None:
    """Before a load into empty tables: drop SQLite's FTS5 triggers, so rows are not indexed one by one.

    `index_after_bulk_load` puts them back and builds the index from the finished table in
    one pass. Inside the load's transaction, so a failed load gets its triggers back.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def index_after_bulk_load(connection) -> None:
    """After `suspend_sqlite_index` and the documents written: the full-text index built and settled."""
    ensure_sqlite_index(connection)  # triggers back, index rebuilt from the documents
    _settle_index(connection)
