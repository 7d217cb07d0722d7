"""A display token per fact: a random 64-bit number the database replaces when what a page shows of the fact changes.

Public pages are to be kept (cached) under a digest of their inputs; a fact's token is
its part of that digest. Whoever writes — the admin, `QuerySet.update()`, `bulk_create`,
either `loaddata` path, a revert, raw SQL — the fact's token changes in the same
transaction, because triggers replace it: on the fact itself (any shown column), its
citations, its people links, and the people, sources, topic and film it shows.

Random, not a counter: a rolled-back transaction, a restored backup or a fresh database
can bring a counter back to a number it once had with other content behind it, and a
cache would serve that content again. A new random 64-bit value never means anything
old. Like the counts in trivia/fact_counts.py, the tokens live in a plain table, not a
model: never in a fixture, a form or a revision, so no writer can put an old token back.

"Shown" is every concrete column but the bookkeeping a save rewrites (`updated_at`,
`lock_version`) and the search document (derived, rewritten in bulk; PostgreSQL's stored
search vector is not a model field at all). The columns come from the models' `_meta`
when the triggers are made, so a new field is watched once migrated. Each update
trigger compares old and new values, so a no-op save or `update(order=F("order"))`
keeps every token.

PostgreSQL handles a statement's inserted or deleted facts, citations and people links
at once (transition tables: a million-fact load pays one statement per batch); updates
per row, and only when a shown column changed (the trigger's WHEN). SQLite has row
triggers only.

Triggers that reach other tables (a film's, say, renews the tokens of its facts) would
stop SQLite from rebuilding those tables, and a watched column cannot be altered on
PostgreSQL while a trigger's WHEN names it. So `suspend` takes the triggers away
before `migrate` applies anything, and `ensure` puts them back afterwards and renews
every token: the migration may have changed rows they did not see.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import BigIntegerField, Expression

from .raw_tables import values_by_key

TOKEN_TABLE = "trivia_fact_token"
TOKENS_MIGRATION = "0009_fact_display_tokens"
TRIGGER = "trivia_fact_token"
# Columns no page shows: rewritten by every save, or derived for search.
NOT_SHOWN = {"updated_at", "lock_version", "search_document"}
# problems() names this many facts of each kind, then counts the rest.
SHOWN_PROBLEMS = 20

# PostgreSQL: 64 bits from the operating system's random source. `random()` gives at
# most 52 and replays a known sequence after any session's `setseed()`; a UUID's 122
# random bits, hashed, give 64 evenly spread ones.
NEW_TOKEN_FUNCTION = "trivia_new_fact_token"
POSTGRES_NEW_TOKEN = (
    f"CREATE OR REPLACE FUNCTION {NEW_TOKEN_FUNCTION}() RETURNS bigint LANGUAGE sql VOLATILE AS $$ "
    "SELECT ('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint $$"
)


def _new_token(vendor: str) -> str:
    return "random()" if vendor == "sqlite" else f"{NEW_TOKEN_FUNCTION}()"


def _models(apps=None) -> dict:
    """The watched models by label: the current ones, or a migration's historical ones."""
    if apps is None:
        from django.apps import apps

    def model(name):
        return apps.get_model("trivia", name)

    fact = model("Fact")
    return {
        "fact": fact,
        "citation": model("Citation"),
        "people": fact.people.through,
        "person": model("Person"),
        "source": model("Source"),
        "topic": model("Topic"),
        "film": model("Film"),
    }


def _shown_columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields if field.name not in NOT_SHOWN]


class _Tables:
    """Table and column names, quoted, from the models (current or historical)."""

    def __init__(self, connection, apps=None):
        self.vendor = connection.vendor
        self.quote = connection.ops.quote_name
        self.models = _models(apps)
        self.fact = self.table("fact")
        self.citation_fact = self.column("citation", "fact")
        self.citation_source = self.column("citation", "source")
        self.people_fact = self.column("people", "fact")
        self.people_person = self.column("people", "person")
        self.fact_film = self.column("fact", "film")
        self.fact_topic = self.column("fact", "topic")

    def table(self, label: str) -> str:
        return self.quote(self.models[label]._meta.db_table)

    def column(self, label: str, field: str) -> str:
        return self.quote(self.models[label]._meta.get_field(field).column)

    def changed(self, label: str) -> str:
        """The WHEN of an update trigger: some shown column has a new value (NULLs compared as values)."""
        different = "IS NOT" if self.vendor == "sqlite" else "IS DISTINCT FROM"
        columns = [self.quote(column) for column in _shown_columns(self.models[label])]
        return " OR ".join(f"OLD.{column} {different} NEW.{column}" for column in columns)

    def update_of(self, label: str) -> str:
        return ", ".join(self.quote(column) for column in _shown_columns(self.models[label]))

    def facts_of(self, label: str, row: str) -> str:
        """SQL selecting the ids of the facts a row of `label` (OLD or NEW) is shown on."""
        rows = {
            "citation": f"SELECT {row}.{self.citation_fact}",
            "people": f"SELECT {row}.{self.people_fact}",
            "person": f"SELECT {self.people_fact} FROM {self.table('people')} WHERE {self.people_person} = {row}.id",
            "source": f"SELECT {self.citation_fact} FROM {self.table('citation')} "
            f"WHERE {self.citation_source} = {row}.id",
            "topic": f"SELECT id FROM {self.fact} WHERE {self.fact_topic} = {row}.id",
            "film": f"SELECT id FROM {self.fact} WHERE {self.fact_film} = {row}.id",
        }
        return rows[label]

    def renew(self, fact_ids: str) -> str:
        return f"UPDATE {TOKEN_TABLE} SET token = {_new_token(self.vendor)} WHERE fact_id IN ({fact_ids})"

    def renew_changed(self, label: str) -> str:
        """Renew the tokens of the facts the old and the new row are shown on (a row may move)."""
        return self.renew(f"{self.facts_of(label, 'OLD')} UNION {self.facts_of(label, 'NEW')}")

    def upsert(self, fact_ids: str) -> str:
        # Never trusted: after a flush or a rollback an id can come back with a stale row.
        return (
            f"INSERT INTO {TOKEN_TABLE} (fact_id, token) {fact_ids} "
            "ON CONFLICT (fact_id) DO UPDATE SET token = excluded.token"
        )


# (label, event): what the trigger is made for; the SQLite and PostgreSQL bodies are below.
ROW_UPDATES = ("fact", "citation", "people", "person", "source", "topic", "film")
STATEMENT_EVENTS = {"fact": ("insert", "delete", "truncate"), "citation": ("insert", "delete", "truncate")}
STATEMENT_EVENTS["people"] = STATEMENT_EVENTS["citation"]


def _trigger_names(vendor: str) -> list[str]:
    events = [(label, "update") for label in ROW_UPDATES]
    for label, statement_events in STATEMENT_EVENTS.items():
        events += [(label, event) for event in statement_events if vendor == "postgresql" or event != "truncate"]
    return [f"{TRIGGER}_{label}_{event}" for label, event in events]


def _sqlite_triggers(t: _Tables) -> dict[str, str]:
    inserted = {
        "fact": t.upsert("VALUES (NEW.id, random())"),
        "citation": t.renew(t.facts_of("citation", "NEW")),
        "people": t.renew(t.facts_of("people", "NEW")),
    }
    deleted = {
        "fact": f"DELETE FROM {TOKEN_TABLE} WHERE fact_id = OLD.id",
        "citation": t.renew(t.facts_of("citation", "OLD")),
        "people": t.renew(t.facts_of("people", "OLD")),
    }
    triggers = {}
    for label in STATEMENT_EVENTS:
        table = t.table(label)
        triggers[f"{TRIGGER}_{label}_insert"] = f"AFTER INSERT ON {table} BEGIN {inserted[label]}; END"
        triggers[f"{TRIGGER}_{label}_delete"] = f"AFTER DELETE ON {table} BEGIN {deleted[label]}; END"
    for label in ROW_UPDATES:
        head = f"AFTER UPDATE OF {t.update_of(label)} ON {t.table(label)} WHEN {t.changed(label)}"
        if label == "fact":
            body = f"DELETE FROM {TOKEN_TABLE} WHERE fact_id = OLD.id AND OLD.id IS NOT NEW.id; " + t.upsert(
                "VALUES (NEW.id, random())"
            )
        else:
            body = t.renew_changed(label)
        triggers[f"{TRIGGER}_{label}_update"] = f"{head} BEGIN {body}; END"
    return {name: f"CREATE TRIGGER {name} {sql}" for name, sql in triggers.items()}


def _postgresql_triggers(t: _Tables) -> dict[str, tuple[str, str]]:
    """{trigger name: (its head, its function's body)}."""
    new = _new_token("postgresql")
    bodies = {
        ("fact", "insert"): t.upsert(f"SELECT id, {new} FROM new_rows"),
        ("fact", "delete"): f"DELETE FROM {TOKEN_TABLE} WHERE fact_id IN (SELECT id FROM old_rows)",
        ("fact", "truncate"): f"DELETE FROM {TOKEN_TABLE}",
    }
    for label, column in (("citation", t.citation_fact), ("people", t.people_fact)):
        bodies[label, "insert"] = t.renew(f"SELECT {column} FROM new_rows")
        bodies[label, "delete"] = t.renew(f"SELECT {column} FROM old_rows")
        # Which facts had them is gone with the rows: every token is renewed.
        bodies[label, "truncate"] = f"UPDATE {TOKEN_TABLE} SET token = {new}"
    heads = {}
    for (label, event), body in bodies.items():
        transition = {"insert": " REFERENCING NEW TABLE AS new_rows", "delete": " REFERENCING OLD TABLE AS old_rows"}
        heads[label, event] = (
            f"AFTER {event.upper()} ON {t.table(label)}{transition.get(event, '')} FOR EACH STATEMENT",
            body,
        )
    for label in ROW_UPDATES:
        if label == "fact":
            body = (
                f"IF OLD.id IS DISTINCT FROM NEW.id THEN DELETE FROM {TOKEN_TABLE} WHERE fact_id = OLD.id; END IF; "
                + t.upsert(f"VALUES (NEW.id, {new})")
            )
        else:
            body = t.renew_changed(label)
        heads[label, "update"] = (
            f"AFTER UPDATE OF {t.update_of(label)} ON {t.table(label)} FOR EACH ROW WHEN ({t.changed(label)})",
            body,
        )
    return {f"{TRIGGER}_{label}_{event}": spec for (label, event), spec in heads.items()}


def _table_sql(vendor: str) -> str:
    key = "integer" if vendor == "sqlite" else "bigint"  # SQLite: the rowid itself, no second index
    return f"CREATE TABLE IF NOT EXISTS {TOKEN_TABLE} (fact_id {key} PRIMARY KEY, token bigint NOT NULL)"


def install(connection, apps=None) -> None:
    """The token table and its triggers, made again from the models' columns (`apps`: a migration's)."""
    tables = _Tables(connection, apps)
    if connection.vendor == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in _trigger_names("sqlite")]
        statements += list(_sqlite_triggers(tables).values())
    elif connection.vendor == "postgresql":
        statements = [POSTGRES_NEW_TOKEN]
        for name, (head, body) in _postgresql_triggers(tables).items():
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$",
                f"CREATE OR REPLACE TRIGGER {name} {head} EXECUTE FUNCTION {name}()",
            ]
    else:
        raise NotImplementedError(f"No display-token triggers for {connection.vendor}.")
    with connection.cursor() as cursor:
        for statement in [_table_sql(connection.vendor), *statements]:
            cursor.execute(statement)


def _drop_triggers(connection) -> None:
    names = _trigger_names(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # With its function goes the trigger.
            for name in names:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
        else:
            for name in names:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def remove(connection) -> None:
    _drop_triggers(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {NEW_TOKEN_FUNCTION}()")
        cursor.execute(f"DROP TABLE IF EXISTS {TOKEN_TABLE}")


def fill_missing(connection) -> int:
    """A fresh token for every fact without one; return how many."""
    from .models import Fact

    fact = connection.ops.quote_name(Fact._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TOKEN_TABLE} (fact_id, token) SELECT f.id, {_new_token(connection.vendor)} FROM {fact} f "
            f"WHERE NOT EXISTS (SELECT 1 FROM {TOKEN_TABLE} t WHERE t.fact_id = f.id)"
        )
        return cursor.rowcount


def _tokens_installed(connection) -> bool:
    return ("trivia", TOKENS_MIGRATION) in MigrationRecorder(connection).applied_migrations()


def suspend(sender, using, plan=None, **kwargs) -> None:
    """`pre_migrate`: before migrations run, the triggers go (see the module docstring); `ensure` brings them back."""
    connection = connections[using]
    if plan and _tokens_installed(connection):
        _drop_triggers(connection)


def ensure(sender, using, plan=None, **kwargs) -> None:
    """`post_migrate`: triggers made again from the migrated columns, tokens for every fact and no other;
    after migrations ran, every token renewed."""
    connection = connections[using]
    if not _tokens_installed(connection):
        return
    install(connection)
    fill_missing(connection)
    with connection.cursor() as cursor:
        fact = connection.ops.quote_name(_models()["fact"]._meta.db_table)
        # NOT EXISTS, an anti-join: PostgreSQL runs `NOT IN (SELECT id …)` as a hashed subplan only while the
        # ids fit in work_mem, and past that rescans the facts for every token (hours at a million facts).
        cursor.execute(
            f"DELETE FROM {TOKEN_TABLE} WHERE NOT EXISTS (SELECT 1 FROM {fact} f WHERE f.id = {TOKEN_TABLE}.fact_id)"
        )
        if plan:
            cursor.execute(f"UPDATE {TOKEN_TABLE} SET token = {_new_token(connection.vendor)}")


def problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Facts without a token, tokens without a fact and missing triggers: one line each (the first few of each)."""
    from .models import Fact

    connection = connections[using]
    fact = connection.ops.quote_name(Fact._meta.db_table)
    found = []
    checks = {
        "Fact {} has no display token.": f"SELECT f.id FROM {fact} f LEFT JOIN {TOKEN_TABLE} t ON t.fact_id = f.id "
        "WHERE t.fact_id IS NULL ORDER BY f.id",
        "Display token kept for fact {}, which does not exist.": f"SELECT t.fact_id FROM {TOKEN_TABLE} t "
        f"LEFT JOIN {fact} f ON f.id = t.fact_id WHERE f.id IS NULL ORDER BY t.fact_id",
    }
    with connection.cursor() as cursor:
        for line, sql in checks.items():
            cursor.execute(sql)
            ids = [row[0] for row in cursor.fetchall()]
            found += [line.format(fact_id) for fact_id in ids[:SHOWN_PROBLEMS]]
            if len(ids) > SHOWN_PROBLEMS:
                found.append(f"… and {len(ids) - SHOWN_PROBLEMS:,} more like it.")
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {row[0] for row in cursor.fetchall()}
    found += [
        f"Display-token trigger {name} is missing." for name in _trigger_names(connection.vendor) if name not in present
    ]
    return found


# --- Reading them -----------------------------------------------------------------------------


class DisplayToken(Expression):
    """The token of the query's fact, NULL if it has none: a primary-key lookup in the token table."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        pk = compiler.quote_name(compiler.query.model._meta.pk.column)
        return token_sql(f"{alias}.{pk}"), []


def token_sql(fact_id: str) -> str:
    """SQL for the token of the fact whose id is the column `fact_id` (quoted), NULL if it has none."""
    return f"(SELECT token FROM {TOKEN_TABLE} WHERE fact_id = {fact_id})"


def with_tokens(queryset):
    """`queryset` (of facts) with each fact's `display_token`."""
    return queryset.annotate(display_token=DisplayToken())


def tokens_of(fact_ids, using: str = DEFAULT_DB_ALIAS) -> dict[int, int]:
    """{fact id: display token} for these facts (a fact without a token is left out), in one query."""
    return values_by_key(TOKEN_TABLE, "fact_id", "token", fact_ids, using)
