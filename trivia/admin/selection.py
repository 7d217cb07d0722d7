"""A passage selected in the workbench, as the add-fact form receives it in its query string.

`?cite_source=<id>&cite_start=<offset>&cite_end=<offset>&cite_version=<text version>`:
parsed here (digits only, never a 500 on junk) and checked by `services.drafting.selected_passage`.
"""

from ..models import Source
from ..services import drafting

# Enough digits for any real key or offset, few enough to fit the database's integers.
MAX_NUMBER_DIGITS = 18
PARAMETERS = ("cite_source", "cite_start", "cite_end", "cite_version")


def parse_number(raw) -> int | None:
    """A non-negative whole number written in ASCII digits, or None."""
    raw = str(raw if raw is not None else "").strip()
    if not (raw.isascii() and raw.isdecimal() and len(raw) <= MAX_NUMBER_DIGITS):
        return None
    return int(raw)


def is_requested(query) -> bool:
    return any(query.get(name) for name in PARAMETERS)


def selection_from(query) -> tuple[drafting.Passage | None, str]:
    """(the selected passage, "") or (None, why it cannot be cited); (None, "") when nothing was selected."""
    if not is_requested(query):
        return None, ""
    source_id, start, end = (parse_number(query.get(name)) for name in PARAMETERS[:3])
    if None in (source_id, start, end):
        return None, "The link to cite a passage is incomplete or damaged; select the passage in the workbench again."
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return None, "The source of that selection no longer exists."
    try:
        return drafting.selected_passage(source, start, end, query.get("cite_version", "")), ""
    except drafting.SelectionError as exc:
        return None, str(exc)
