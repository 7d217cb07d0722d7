"""The JSON fixture format with timestamps to the microsecond (settings.SERIALIZATION_MODULES["json"]).

Django's JSON encoder cuts datetimes to milliseconds, and writes a time that lands on
a whole millisecond as "…:07.000Z" but the same time loaded back (microsecond 0) as
"…:07Z". So a fact saved at 12:00:07.000500 lost its last digits on the first dump,
and the dump of the loaded copy differed from the first: a round trip was neither
lossless nor byte-identical. This encoder writes what `datetime.isoformat()` gives,
which `loaddata` parses back exactly; everything else is Django's own format, and any
Django project can load these fixtures.

`read_array` reads such a file back one object at a time, for loads that must not hold
the whole file in memory (trivia/fixture_load.py).
"""

import datetime
import json
import re

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as DjangoJSONSerializer

__all__ = ["Deserializer", "LosslessJSONEncoder", "Serializer", "read_array"]


class LosslessJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            value = o.isoformat()
            return value.removesuffix("+00:00") + "Z" if value.endswith("+00:00") else value
        if isinstance(o, datetime.time) and o.tzinfo is None:
            return o.isoformat()
        return super().default(o)


class Serializer(DjangoJSONSerializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = LosslessJSONEncoder


# Characters read at a time by `read_array`; an element longer than this is read in growing pieces.
READ_CHUNK = 1 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DELIMITERS = frozenset(",] \t\n\r")


class _ArrayReader:
    """The text of one JSON array, read from a file a piece at a time (see `read_array`)."""

    def __init__(self, handle, chunk: int):
        self.handle, self.chunk = handle, chunk
        self.buffer, self.position = "", 0
        self.decoder = json.JSONDecoder()

    def read_more(self) -> bool:
        """Append the next piece of the file (at least as long as what is held); False at its end."""
        piece = self.handle.read(max(self.chunk, len(self.buffer) - self.position))
        if not piece:
            return False
        self.buffer, self.position = self.buffer[self.position :] + piece, 0
        return True

    def next_character(self) -> str:
        """The next character that is not whitespace ("" at the end of the file), not consumed."""
        while True:
            self.position = _WHITESPACE.match(self.buffer, self.position).end()
            if self.position < len(self.buffer):
                return self.buffer[self.position]
            if not self.read_more():
                return ""

    def expect(self, characters: str) -> str:
        found = self.next_character()
        if not found or found not in characters:
            raise ValueError(f"expected one of {characters!r} at character {self.position}, found {found!r}")
        self.position += 1
        return found

    def element(self):
        """The next value, read again with more of the file while it may have been cut short."""
        self.next_character()  # raw_decode does not skip leading whitespace
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.position)
            except json.JSONDecodeError:
                if not self.read_more():
                    raise
                continue
            # A number may go on past what is held ("1." of "1.5"): only a delimiter after it proves it whole.
            if (end == len(self.buffer) or self.buffer[end] not in _DELIMITERS) and self.read_more():
                continue
            self.position = end
            return value


def read_array(handle, chunk: int | None = None):
    """Yield the elements of the JSON array in the text file `handle` one at a time.

    Memory holds one piece of the file and the element being read, never the whole file:
    a 1 GB fixture loads in the memory of its largest object. Raises `ValueError` (a
    `json.JSONDecodeError` for bad syntax) when the file is not exactly one JSON array;
    elements before the fault have been yielded by then.
    """
    reader = _ArrayReader(handle, chunk or READ_CHUNK)
    reader.expect("[")
    if reader.next_character() == "]":
        reader.position += 1
    else:
        while True:
            yield reader.element()
            if reader.expect(",]") == "]":
                break
    if reader.next_character():
        raise ValueError(f"extra data after the array at character {reader.position}")
