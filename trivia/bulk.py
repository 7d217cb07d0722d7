"""The one bulk writer: many trivia rows in a few statements, with the provenance rules still applied.

Fixture loads, imports, demo data, re-anchoring and search refreshes write thousands of
rows; through `Model.save()` each costs several queries. They all write through here
instead, and here every source and citation is checked against trivia/integrity.py
before a statement is sent: a fast path may skip the ORM, never the rule.
"""

from django.db import DEFAULT_DB_ALIAS, connections

from . import fact_counts, fact_tokens, integrity, publishing, text
from .models import Citation, Credit, Fact, Film, Person, Source, Topic

# PostgreSQL's protocol takes at most this many parameters in one statement.
MAX_PARAMETERS = 65_535


def check_rules(model, objs) -> None:
    """Raise `ProvenanceError` for a source or citation that breaks a rule; set each sound citation's paragraph.

    Citations must carry their source (with its text) and fact in memory. Paragraphs are
    computed once per source, not once per citation.
    """
    if model is Source:
        for source in objs:
            integrity.require_sound_source(source)
    elif model is Citation:
        spans = {}
        for citation in objs:
            content = citation.source.content
            problems = integrity.citation_problems(citation, content)
            if problems:
                raise integrity.ProvenanceError(
                    f"{integrity.describe_citation(citation)} does not match its source: " + " ".join(problems.values())
                )
            if citation.start is not None:
                paragraphs = spans.get(id(citation.source))
                if paragraphs is None:
                    paragraphs = spans[id(citation.source)] = text.paragraphs(content)
                citation.paragraph = integrity.paragraph_of(content, citation.start, paragraphs)


def create(model, objs: list, *, using: str = DEFAULT_DB_ALIAS, batch_size: int = 2000) -> list:
    """`bulk_create` after the rules: new rows stamped now (published facts too), primary keys set on `objs`."""
    check_rules(model, objs)
    if model is Fact:
        publishing.stamp_first_publication(objs)
    return model._base_manager.using(using).bulk_create(objs, batch_size=batch_size)


def insert_exact(model, objs: list, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert `objs` with exactly their values (primary keys and timestamps included), as a raw fixture save does.

    Multi-row INSERTs, as many rows a statement as the database takes parameters: Django's
    insert compiler costs more than the insert itself at this scale, and `bulk_create` would
    stamp `auto_now` fields with the time of the load.
    """
    check_rules(model, objs)
    connection = connections[using]
    fields = model._meta.local_concrete_fields
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] for obj in objs]
    insert_rows(model, fields, rows, using=using)


def insert_rows(model, fields, rows: list, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert prepared `rows` (one value per field, in order) into `model`'s table."""
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch_size = max(min(connection.ops.bulk_batch_size(fields, rows), MAX_PARAMETERS // len(fields)), 1)
    statements = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            if len(batch) not in statements:
                values = ", ".join([row] * len(batch))
                statements[len(batch)] = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"
            cursor.execute(statements[len(batch)], [value for values in batch for value in values])


def update(model, objs: list, field_names: list[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Write these fields of `objs` (by primary key), checking the rules first.

    `bulk_update` builds a CASE over the whole batch, which SQLite evaluates row by row.
    On SQLite: one prepared UPDATE run per row (`executemany`). On PostgreSQL: one
    `UPDATE … FROM (VALUES …)` per batch, because every statement there bumps the content
    version once (trivia/freshness.py), so a row-per-statement rebuild of 1,000,000 search
    documents would bump it 1,000,000 times. The database's own checks apply to every row.
    """
    if not objs:
        return
    check_rules(model, objs)
    connection = connections[using]
    fields = [model._meta.get_field(name) for name in field_names]
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] + [obj.pk] for obj in objs
    ]
    if connection.vendor == "postgresql":
        _update_from_values(model, fields, rows, connection)
        return
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET "
        + ", ".join(f"{quote(field.column)} = %s" for field in fields)
        + f" WHERE {quote(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _update_from_values(model, fields, rows: list, connection) -> None:
    """PostgreSQL: one statement per batch, each value cast to its column's type (a NULL column is text otherwise)."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), model._meta.pk
    names = [f"c{n}" for n in range(len(fields))] + ["pk"]
    assignments = ", ".join(
        f"{quote(field.column)} = CAST(v.{name} AS {field.cast_db_type(connection)})"
        for field, name in zip(fields, names, strict=False)
    )
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    match = f"{table}.{quote(pk.column)} = CAST(v.pk AS {pk.cast_db_type(connection)})"
    batch_size = max(MAX_PARAMETERS // len(names), 1)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            placeholders = ", ".join([row] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {placeholders}) AS v({', '.join(names)}) WHERE {match}",
                [value for values in batch for value in values],
            )


def refresh_statistics(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Tell the query planner how big the trivia tables now are, after a bulk write.

    Without statistics SQLite guessed wrong at scale: a person page counted its facts by
    scanning every published fact instead of the person's links (docs/performance.md).
    PostgreSQL's autovacuum would analyze eventually; the queries straight after a bulk
    load (and a benchmark) should not depend on when.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            tables = [model._meta.db_table for model in (Film, Person, Credit, Topic, Source, Fact)]
            tables += [Fact.people.through._meta.db_table, Citation._meta.db_table]
            # The trigger-kept tables too: without their row counts the planner guessed a topic held by
            # 191 films (it was 3,920) and hashed every film to join them.
            tables += [fact_counts.FILM_TABLE, fact_counts.TOPIC_TABLE, fact_tokens.TOKEN_TABLE]
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def delete_facts(facts, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Delete these facts with their citations and people links: one DELETE per table, no per-row signals.

    For throwaway rows (demo data being replaced): the ORM's collector would load every fact
    and refresh a search document per deleted citation, for rows that are going anyway.
    """
    total = facts.count()
    subquery, params = facts.values("pk").query.sql_with_params()
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, column in ((Citation, "fact_id"), (Fact.people.through, "fact_id"), (Fact, "id")):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} IN ({subquery})", params)
    return total
