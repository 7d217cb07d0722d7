"""SQL expressions that an index and the queries it serves must spell the same way."""

from django.db.models import CharField, Func


class TitleInitial(Func):
    """A title's first character, capitalised: how the home page groups films by title (its A–Z index).

    Written with literal numbers: Django sends `Substr(title, 1, 1)`'s numbers as bound
    parameters, and SQLite uses an index on an expression only for the very same expression.
    """

    template = "UPPER(SUBSTR(%(expressions)s, 1, 1))"
    arity = 1
    output_field = CharField()
