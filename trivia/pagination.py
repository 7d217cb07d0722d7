"""One rule for every paged page: any `?page=` value gives a page.

Junk, zero or a negative number gives the first page, a number past the end the last,
so a mistyped or stale link still shows facts (with a canonical link naming the page
shown). Only ASCII digits count: `int()` would also take "١" or "１".
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageWindow:
    number: int  # the page shown, from 1
    count: int  # how many pages there are (at least 1)
    total: int  # how many items on all pages
    per_page: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def bounds(self) -> slice:
        return slice(self.offset, self.offset + self.per_page)


def requested_number(raw) -> int:
    """The page number a `?page=` value asks for; 1 for anything that is not a whole number from 1 up."""
    raw = str(raw if raw is not None else "").strip()
    if not (raw.isascii() and raw.isdecimal()):
        return 1
    return max(int(raw), 1)


def window(raw, total: int, per_page: int) -> PageWindow:
    """The page to show for `raw` among `total` items, clamped to the pages there are."""
    count = max(1, -(-total // per_page))
    return PageWindow(min(requested_number(raw), count), count, total, per_page)
