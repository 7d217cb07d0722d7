"""Each fact's display token: a random number the database replaces whenever anything shown of the fact changes.

Public pages are kept under a digest of what they show (trivia/page_renders.py); for the
facts on a page, that is each fact's id and token. So the token must change on every
write that could change how the fact reads anywhere — its own columns (text, status,
topic, film, position…), its citations, the people it names, and the rows those point at
(a person renamed, a source retitled or rewritten, a topic or film renamed) — whoever
writes: the admin, `QuerySet.update()`, `trivia.bulk`, either loader, raw SQL. Triggers
do it, as for the content version (trivia/freshness.py) and the fact counts
(trivia/fact_counts.py), so no writer needs to know.

Random rather than a counter: a counter comes back after a rolled-back transaction, a
restored backup or in a new database, with other content under the same number, and a
kept page would be served for it. A random 64-bit value does not come back. The tokens
are a table of their own, not a model field: never in a fixture (the round trip stays
byte-identical), a form or a revision, and a loaded fixture cannot carry a token over.

"Shown" is every column of these tables except timestamps, lock versions and search
documents, read from the models when the triggers are made (after every `migrate`, so a
new column is covered): rewriting search documents or a save that changes nothing
leaves tokens alone. PostgreSQL handles a statement's inserted and deleted facts,
citations and links at once (transition tables, so a million-fact load pays one
statement per batch) and an UPDATE per row, only when a shown column changed (the
trigger's WHEN). SQLite has row triggers only.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.expressions import RawSQL

TOKEN_TABLE = "trivia_fact_token"
TOKENS_MIGRATION = "0009_fact_display_tokens"
TRIGGER = "trivia_fact_token"
# Columns no page shows: a change to them alone leaves the tokens as they are.
NOT_SHOWN = {"created_at", "updated_at", "lock_version", "search_document"}
PROBLEM_LINES = 20
MISSING = f"SELECT id FROM trivia_fact WHERE id NOT IN (SELECT fact_id FROM {TOKEN_TABLE})"
LEFT_OVER = f"SELECT fact_id FROM {TOKEN_TABLE} WHERE fact_id NOT IN (SELECT id FROM trivia_fact)"


def _models():
    from .models import Citation, Fact, Film, Person, Source, Topic

    return Fact, Citation, Fact.people.through, Person, Source, Topic, Film


def _shown_columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields if field.column not in NOT_SHOWN]


def _changed(model, vendor: str) -> str:
    differs = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f'OLD."{column}" {differs} NEW."{column}"' for column in _shown_columns(model))


def _random(vendor: str) -> str:
    # SQLite's random() is 64 bits; PostgreSQL's is a double (52 bits): 64 bits of a random UUID's digest instead.
    return "random()" if vendor == "sqlite" else "('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint"


def _renew(vendor: str, facts: str) -> str:
    """SQL giving every fact in the subquery `facts` a new token (a fact with no token row keeps none)."""
    return f"UPDATE {TOKEN_TABLE} SET token = {_random(vendor)} WHERE fact_id IN ({facts})"


def _give(vendor: str, ids: str) -> str:
    """SQL giving each fact id of the query `ids` a new token, its row made if missing."""
    return (
        f"INSERT INTO {TOKEN_TABLE} (fact_id, token) SELECT id, {_random(vendor)} FROM ({ids}) AS given WHERE true "
        "ON CONFLICT (fact_id) DO UPDATE SET token = excluded.token"
    )


def _related(vendor: str) -> dict[str, tuple[object, str]]:
    """Rows whose change reaches facts through another table: table -> (model, the facts it reaches from NEW)."""
    _, _, _, Person, Source, Topic, Film = _models()
    link = _models()[2]._meta.db_table
    return {
        "person": (Person, f"SELECT fact_id FROM {link} WHERE person_id = NEW.id"),
        "source": (Source, "SELECT fact_id FROM trivia_citation WHERE source_id = NEW.id"),
        "topic": (Topic, "SELECT id FROM trivia_fact WHERE topic_id = NEW.id"),
        "film": (Film, "SELECT id FROM trivia_fact WHERE film_id = NEW.id"),
    }


def _sqlite_triggers() -> dict[str, str]:
    Fact, Citation, Link, *_ = _models()
    vendor = "sqlite"
    events = {
        "fact_insert": ("AFTER INSERT ON trivia_fact", [_give(vendor, "SELECT NEW.id AS id")]),
        "fact_delete": ("AFTER DELETE ON trivia_fact", [f"DELETE FROM {TOKEN_TABLE} WHERE fact_id = OLD.id"]),
        "fact_update": (
            f"AFTER UPDATE ON trivia_fact WHEN {_changed(Fact, vendor)} OR OLD.id IS NOT NEW.id",
            [f"DELETE FROM {TOKEN_TABLE} WHERE fact_id = OLD.id", _give(vendor, "SELECT NEW.id AS id")],
        ),
    }
    for name, model in (("citation", Citation), ("link", Link)):
        table = model._meta.db_table
        events[f"{name}_insert"] = (f"AFTER INSERT ON {table}", [_renew(vendor, "SELECT NEW.fact_id")])
        events[f"{name}_delete"] = (f"AFTER DELETE ON {table}", [_renew(vendor, "SELECT OLD.fact_id")])
        events[f"{name}_update"] = (
            f"AFTER UPDATE ON {table} WHEN {_changed(model, vendor)}",
            [_renew(vendor, "SELECT OLD.fact_id UNION SELECT NEW.fact_id")],
        )
    for name, (model, facts) in _related(vendor).items():
        head = f"AFTER UPDATE ON {model._meta.db_table} WHEN {_changed(model, vendor)}"
        events[f"{name}_update"] = (head, [_renew(vendor, facts)])
    return {
        f"{TRIGGER}_{event}": f"CREATE TRIGGER {TRIGGER}_{event} {head} BEGIN {'; '.join(body)}; END"
        for event, (head, body) in events.items()
    }


def _postgresql_triggers() -> dict[str, tuple[str, str, str]]:
    """name -> (table, the trigger's head, the function's body)."""
    Fact, Citation, Link, *_ = _models()
    vendor = "postgresql"
    triggers = {
        "fact_insert": (
            "trivia_fact",
            "AFTER INSERT",
            "NEW TABLE AS new_rows",
            _give(vendor, "SELECT id FROM new_rows"),
        ),  # fmt: skip
        "fact_delete": (
            "trivia_fact",
            "AFTER DELETE",
            "OLD TABLE AS old_rows",
            f"DELETE FROM {TOKEN_TABLE} WHERE fact_id IN (SELECT id FROM old_rows)",
        ),
    }
    for name, model in (("citation", Citation), ("link", Link)):
        table = model._meta.db_table
        triggers[f"{name}_insert"] = (
            table, "AFTER INSERT", "NEW TABLE AS new_rows", _renew(vendor, "SELECT fact_id FROM new_rows")
        )  # fmt: skip
        triggers[f"{name}_delete"] = (
            table, "AFTER DELETE", "OLD TABLE AS old_rows", _renew(vendor, "SELECT fact_id FROM old_rows")
        )  # fmt: skip
    statements = {}
    for name, (table, event, transition, body) in triggers.items():
        head = f"{event} ON {table} REFERENCING {transition} FOR EACH STATEMENT"
        statements[name] = (table, head, body)
    truncate = "AFTER TRUNCATE ON trivia_fact FOR EACH STATEMENT"
    statements["fact_truncate"] = ("trivia_fact", truncate, f"DELETE FROM {TOKEN_TABLE}")
    # Updates row by row, and only when a shown column changed.
    fact_update = [f"DELETE FROM {TOKEN_TABLE} WHERE fact_id = OLD.id", _give(vendor, "SELECT NEW.id AS id")]
    statements["fact_update"] = (
        "trivia_fact",
        f"AFTER UPDATE ON trivia_fact FOR EACH ROW WHEN ({_changed(Fact, vendor)} OR OLD.id IS DISTINCT FROM NEW.id)",
        "; ".join(fact_update),
    )
    for name, model in (("citation", Citation), ("link", Link)):
        table = model._meta.db_table
        statements[f"{name}_update"] = (
            table,
            f"AFTER UPDATE ON {table} FOR EACH ROW WHEN ({_changed(model, vendor)})",
            _renew(vendor, "SELECT OLD.fact_id UNION SELECT NEW.fact_id"),
        )
    for name, (model, facts) in _related(vendor).items():
        table = model._meta.db_table
        head = f"AFTER UPDATE ON {table} FOR EACH ROW WHEN ({_changed(model, vendor)})"
        statements[f"{name}_update"] = (table, head, _renew(vendor, facts))
    return statements


def _table(vendor: str) -> str:
    key = "integer" if vendor == "sqlite" else "bigint"  # SQLite: the rowid itself, no second index
    return f"CREATE TABLE IF NOT EXISTS {TOKEN_TABLE} (fact_id {key} PRIMARY KEY, token bigint NOT NULL)"


def install(connection) -> None:
    """The token table and its triggers, the triggers made anew (their column lists follow the models)."""
    remove_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(_table(connection.vendor))
        if connection.vendor == "sqlite":
            for statement in _sqlite_triggers().values():
                cursor.execute(statement)
        elif connection.vendor == "postgresql":
            for name, (_, head, body) in _postgresql_triggers().items():
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {TRIGGER}_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN {body}; RETURN NULL; END $$"
                )
                cursor.execute(f"CREATE TRIGGER {TRIGGER}_{name} {head} EXECUTE FUNCTION {TRIGGER}_{name}()")
        else:
            raise NotImplementedError(f"No display-token triggers for {connection.vendor}.")


def _trigger_names(vendor: str) -> dict[str, str]:
    """name -> the table it is on (PostgreSQL drops a trigger by table)."""
    if vendor == "sqlite":
        return dict.fromkeys(_sqlite_triggers(), "")
    return {f"{TRIGGER}_{name}": table for name, (table, _, _) in _postgresql_triggers().items()}


def remove_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for name, table in _trigger_names(connection.vendor).items():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def remove(connection) -> None:
    remove_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TOKEN_TABLE}")


def fill_missing(connection) -> None:
    """A token for every fact without one, and no token for a fact that is gone (the migration; a repair)."""
    with connection.cursor() as cursor:
        cursor.execute(_give(connection.vendor, MISSING))
        cursor.execute(f"DELETE FROM {TOKEN_TABLE} WHERE fact_id IN ({LEFT_OVER})")


def ensure(sender, using, **kwargs) -> None:
    """`post_migrate`: triggers made anew (a SQLite table rebuild drops them; a new column must be covered)."""
    connection = connections[using]
    if ("trivia", TOKENS_MIGRATION) in MigrationRecorder(connection).applied_migrations():
        install(connection)
        fill_missing(connection)


def problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Facts without a token (their pages are rendered every time) and tokens of facts that are gone."""
    found = []
    with connections[using].cursor() as cursor:
        for what, sql in (
            ("Fact {} has no display token", MISSING),
            ("Display token of fact {}, which is gone", LEFT_OVER),
        ):
            cursor.execute(f"{sql} ORDER BY 1")
            ids = [row[0] for row in cursor.fetchall()]
            found += [what.format(pk) + " (fact_tokens.fill_missing puts it right)." for pk in ids[:PROBLEM_LINES]]
            if len(ids) > PROBLEM_LINES:
                found.append(f"… and {len(ids) - PROBLEM_LINES} more like it.")
    return found


# --- Reading them -----------------------------------------------------------------------------


def with_tokens(queryset):
    """The facts of `queryset` with `display_token` (None for a fact without one): one subquery per row, by key."""
    table = queryset.model._meta.db_table
    return queryset.annotate(display_token=RawSQL(f"SELECT token FROM {TOKEN_TABLE} WHERE fact_id = {table}.id", []))


def tokens_of(fact_ids) -> dict[int, int]:
    """{fact id: token} for the facts given that have one (one query)."""
    ids = list(fact_ids)
    if not ids:
        return {}
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"SELECT fact_id, token FROM {TOKEN_TABLE} WHERE fact_id IN ({marks})", ids)
        return dict(cursor.fetchall())
