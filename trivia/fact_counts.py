"""Published facts counted per film and per (topic, film), kept by the database as facts change.

The home page's "Best documented" films and a topic page's count and pages read these
counts instead of counting the facts of every film, or every fact of a topic, on each
request: their cost then stays the same at 10,000 and at 1,000,000 facts
(docs/performance.md, "First visits (issue 16)").

Like the content version (trivia/freshness.py), triggers on the fact table keep them, so
every writer — the admin, `bulk` SQL, the fast loader, the stock `loaddata`, reverts,
raw SQL — keeps them right without knowing about them. They are tables, not models: never
in a fixture, a form or a revision, so no writer can put back a stale count. A row exists
only while its count is above zero. `problems()` recounts from the facts (`check_citations`
runs it, and the test suite after every database test).

PostgreSQL counts an INSERT's or DELETE's rows once per statement (transition tables: a
million-fact load pays one grouped upsert per batch); an UPDATE per row, and only for rows
whose status, film or topic changed (the trigger's WHEN, evaluated without calling it), so
rewriting search documents costs nothing here. SQLite has row triggers only.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

from .raw_tables import values_by_key

FILM_TABLE = "trivia_film_fact_count"
TOPIC_TABLE = "trivia_topic_film_fact_count"
COUNTS_MIGRATION = "0007_published_fact_counts"
PUBLISHED = "'published'"
# table -> the fact columns it is counted by
KEYS = {FILM_TABLE: ("film_id",), TOPIC_TABLE: ("topic_id", "film_id")}
TRIGGER = "trivia_fact_counts"
# A topic's total (`topic_totals`) from the index alone, not a table row per film.
TOPIC_TOTAL_INDEX = f"CREATE INDEX IF NOT EXISTS {TOPIC_TABLE}_total ON {TOPIC_TABLE} (topic_id, published)"


def _tables(vendor: str) -> list[str]:
    key = "integer" if vendor == "sqlite" else "bigint"  # SQLite: the rowid itself, no second index
    return [
        f"CREATE TABLE IF NOT EXISTS {FILM_TABLE} (film_id {key} PRIMARY KEY, published integer NOT NULL)",
        # "Best documented": the highest counts first, read from the index's end.
        f"CREATE INDEX IF NOT EXISTS {FILM_TABLE}_rank ON {FILM_TABLE} (published, film_id)",
        f"CREATE TABLE IF NOT EXISTS {TOPIC_TABLE} (topic_id bigint NOT NULL, film_id bigint NOT NULL, "
        "published integer NOT NULL, PRIMARY KEY (topic_id, film_id))",
        TOPIC_TOTAL_INDEX,
    ]


def _add(table: str, when: str = "") -> str:
    """SQL adding one to the count of NEW's film or (topic, film), the row made if missing; only `when` if given."""
    keys = KEYS[table]
    values = ", ".join(f"NEW.{key}" for key in keys)
    source = f"SELECT {values}, 1 WHERE {when}" if when else f"VALUES ({values}, 1)"
    return (
        f"INSERT INTO {table} ({', '.join(keys)}, published) {source} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET published = {table}.published + 1"
    )


def _remove(table: str, when: str = "") -> list[str]:
    """SQL taking one off the count of OLD's film or (topic, film), and its row away at zero; only `when` if given."""
    where = " AND ".join(f"{key} = OLD.{key}" for key in KEYS[table]) + (f" AND {when}" if when else "")
    return [
        f"UPDATE {table} SET published = published - 1 WHERE {where}",
        f"DELETE FROM {table} WHERE {where} AND published <= 0",
    ]


def _sqlite_triggers() -> dict[str, str]:
    was, now = f"OLD.status = {PUBLISHED}", f"NEW.status = {PUBLISHED}"
    # A save rewrites every column: only a changed status, film or topic moves a count.
    changed = "OLD.status IS NOT NEW.status OR OLD.film_id IS NOT NEW.film_id OR OLD.topic_id IS NOT NEW.topic_id"
    events = {
        "insert": (f"AFTER INSERT ON trivia_fact WHEN {now}", [_add(table) for table in KEYS]),
        "delete": (f"AFTER DELETE ON trivia_fact WHEN {was}", [s for table in KEYS for s in _remove(table)]),
        "update": (
            f"AFTER UPDATE OF status, film_id, topic_id ON trivia_fact WHEN {changed}",
            [s for table in KEYS for s in _remove(table, was)] + [_add(table, now) for table in KEYS],
        ),
    }
    return {
        f"{TRIGGER}_{event}": f"CREATE TRIGGER IF NOT EXISTS {TRIGGER}_{event} {head} BEGIN {'; '.join(body)}; END"
        for event, (head, body) in events.items()
    }


def _grouped_change(table: str, rows: str, sign: str) -> str:
    """PostgreSQL: the counts of a statement's `rows` (new_rows or old_rows), grouped, added with `sign`."""
    keys = ", ".join(KEYS[table])
    return (
        f"INSERT INTO {table} ({keys}, published) SELECT {keys}, {sign}count(*) FROM {rows} "
        f"WHERE status = {PUBLISHED} GROUP BY {keys} "
        f"ON CONFLICT ({keys}) DO UPDATE SET published = {table}.published + EXCLUDED.published"
    )


def _postgresql_functions() -> dict[str, str]:
    deleted = []
    for table in KEYS:
        keys = ", ".join(KEYS[table])
        deleted += [
            _grouped_change(table, "old_rows", "-"),
            f"DELETE FROM {table} WHERE published <= 0 AND ({keys}) IN (SELECT {keys} FROM old_rows)",
        ]
    update = [
        f"IF OLD.status = {PUBLISHED} THEN {'; '.join(s for table in KEYS for s in _remove(table))}; END IF",
        f"IF NEW.status = {PUBLISHED} THEN {'; '.join(_add(table) for table in KEYS)}; END IF",
    ]
    return {
        "insert": "; ".join(_grouped_change(table, "new_rows", "") for table in KEYS),
        "delete": "; ".join(deleted),
        "update": "; ".join(update),
        "truncate": f"DELETE FROM {FILM_TABLE}; DELETE FROM {TOPIC_TABLE}",
    }


def _postgresql_statements() -> list[str]:
    statements = []
    for event, body in _postgresql_functions().items():
        statements.append(
            f"CREATE OR REPLACE FUNCTION {TRIGGER}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN NULL; END $$"
        )
    changed = (
        "OLD.status IS DISTINCT FROM NEW.status OR OLD.film_id IS DISTINCT FROM NEW.film_id "
        "OR OLD.topic_id IS DISTINCT FROM NEW.topic_id"
    )
    heads = {
        "insert": "AFTER INSERT ON trivia_fact REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
        "delete": "AFTER DELETE ON trivia_fact REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
        "update": f"AFTER UPDATE OF status, film_id, topic_id ON trivia_fact FOR EACH ROW WHEN ({changed})",
        "truncate": "AFTER TRUNCATE ON trivia_fact FOR EACH STATEMENT",
    }
    for event, head in heads.items():
        statements.append(f"CREATE OR REPLACE TRIGGER {TRIGGER}_{event} {head} EXECUTE FUNCTION {TRIGGER}_{event}()")
    return statements


def install(connection) -> None:
    """The count tables and their triggers, where missing; safe to run any number of times."""
    if connection.vendor == "sqlite":
        statements = list(_sqlite_triggers().values())
    elif connection.vendor == "postgresql":
        statements = _postgresql_statements()
    else:
        raise NotImplementedError(f"No fact-count triggers for {connection.vendor}.")
    with connection.cursor() as cursor:
        for statement in _tables(connection.vendor) + statements:
            cursor.execute(statement)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for event in ("insert", "delete", "update", "truncate"):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{event} ON trivia_fact")
                cursor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}_{event}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{event}")
        for table in KEYS:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def ensure(sender, using, **kwargs) -> None:
    """`post_migrate`: a SQLite rebuild of the fact table drops its triggers; put them back once migrated that far."""
    connection = connections[using]
    if ("trivia", COUNTS_MIGRATION) in MigrationRecorder(connection).applied_migrations():
        install(connection)


def _recount_sql(table: str) -> str:
    keys = ", ".join(KEYS[table])
    return f"SELECT {keys}, count(*) FROM trivia_fact WHERE status = {PUBLISHED} GROUP BY {keys}"


def recount(connection) -> None:
    """Every count recomputed from the facts (the migration that adds them; a repair)."""
    with connection.cursor() as cursor:
        for table in KEYS:
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(f"INSERT INTO {table} ({', '.join(KEYS[table])}, published) {_recount_sql(table)}")


def problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Each kept count that differs from the facts: one line each ("film 12: kept 3, counted 4")."""
    found = []
    with connections[using].cursor() as cursor:
        for table in KEYS:
            cursor.execute(_recount_sql(table))
            counted = {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
            cursor.execute(f"SELECT {', '.join(KEYS[table])}, published FROM {table}")
            kept = {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
            what = "film" if table == FILM_TABLE else "topic, film"
            for key in sorted(counted.keys() | kept.keys()):
                # A kept row at zero is wrong too: rows go when their count does.
                if counted.get(key, 0) != kept.get(key, 0) or kept.get(key) == 0:
                    shown = key[0] if len(key) == 1 else key
                    found.append(
                        f"Published facts of {what} {shown}: kept {kept.get(key, 0)}, counted {counted.get(key, 0)}."
                    )
    return found


# --- Reading them -----------------------------------------------------------------------------


def best_documented(limit: int) -> list:
    """The `limit` films with the most published facts (ties by title, year), each with `published_fact_count`.

    Read from the end of the count index: the films counting at least the `limit`-th highest
    count (a few, unless many tie), whatever the size of the archive. The CROSS JOIN keeps
    SQLite from starting at the films instead.
    """
    from .models import Film

    threshold = f"COALESCE((SELECT published FROM {FILM_TABLE} ORDER BY published DESC LIMIT 1 OFFSET %s), 0)"
    return list(
        Film.objects.raw(
            f"SELECT f.id, f.title, f.year, f.slug, c.published AS published_fact_count FROM {FILM_TABLE} c "
            f"CROSS JOIN {Film._meta.db_table} f WHERE f.id = c.film_id AND c.published >= {threshold} "
            "ORDER BY c.published DESC, f.title, f.year, f.id LIMIT %s",
            [limit - 1, limit],
        )
    )


def of_films(film_ids) -> dict[int, int]:
    """{film id: published facts} for these films (a film without any is left out)."""
    return values_by_key(FILM_TABLE, "film_id", "published", film_ids)


# A topic held by more films than this is read by walking the films in title order (an index) until
# enough of them hold it: its count rows sorted whole cost a row per film (3.3 ms for 3,920 films at a
# million facts). A topic held by fewer is read whole and sorted: a walk would pass every film to find them.
WALK_FROM = 200


def topic_totals(topic_id: int) -> tuple[int, int]:
    """(published facts under the topic, films holding any of them), from the topic's count rows."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(published), 0), COUNT(*) FROM {TOPIC_TABLE} WHERE topic_id = %s", [topic_id]
        )
        published, films = cursor.fetchone()
    return int(published), int(films)


def films_of_topic(topic_id: int, first: int | None = None, holding: int = 0) -> list[tuple[int, int]]:
    """(film id, published facts under the topic) for each film with any, in reading order (title, year, id).

    With `first`, only the first that many films; `holding` (from `topic_totals`) says how many
    films hold the topic, which decides whether to walk the films or sort the topic's rows.
    """
    from .models import Film

    film_table = Film._meta.db_table
    limit, params = ("", [topic_id]) if first is None else (" LIMIT %s", [topic_id, first])
    # Both reads look rows up one by one through scalar subqueries, which neither database turns into a join:
    # so each reads in the order chosen here, whatever its statistics (PostgreSQL, with none yet for the count
    # table, hashed every film to join a topic of one; SQLite, given the title index, walked every film for it).
    if first is not None and holding > WALK_FROM and first < holding:
        # The films in title order (film_by_title_idx), each looked up in the topic's counts, until `first`.
        published = f"(SELECT c.published FROM {TOPIC_TABLE} c WHERE c.topic_id = %s AND c.film_id = f.id)"
        sql = (
            f"SELECT f.id, {published} FROM {film_table} f WHERE {published} IS NOT NULL ORDER BY f.title, f.year, f.id"
        )
        params = [topic_id, *params]
    else:
        # The topic's own rows, each film's title and year looked up to sort them.
        film = f"{film_table} f WHERE f.id = c.film_id"
        sql = (
            f"SELECT c.film_id, c.published FROM {TOPIC_TABLE} c WHERE c.topic_id = %s "
            f"ORDER BY (SELECT f.title FROM {film}), (SELECT f.year FROM {film}), c.film_id"
        )
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql + limit, params)
        return cursor.fetchall()
