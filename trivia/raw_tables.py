"""Reading the tables the database keeps by triggers (`fact_counts`, `fact_tokens`): not models, so plain SQL."""

from django.db import DEFAULT_DB_ALIAS, connections


def values_by_key(table: str, key: str, value: str, keys, using: str = DEFAULT_DB_ALIAS) -> dict:
    """{key: value} from `table` for the rows whose `key` column is one of `keys` (rows not there are left out)."""
    keys = list(keys)
    if not keys:
        return {}
    with connections[using].cursor() as cursor:
        marks = ", ".join(["%s"] * len(keys))
        cursor.execute(f"SELECT {key}, {value} FROM {table} WHERE {key} IN ({marks})", keys)
        return dict(cursor.fetchall())
