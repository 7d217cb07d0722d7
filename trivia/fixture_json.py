"""The JSON fixture format with timestamps to the microsecond (settings.SERIALIZATION_MODULES["json"]).

Django's JSON encoder cuts datetimes to milliseconds, and writes a time that lands on
a whole millisecond as "…:07.000Z" but the same time loaded back (microsecond 0) as
"…:07Z". So a fact saved at 12:00:07.000500 lost its last digits on the first dump,
and the dump of the loaded copy differed from the first: a round trip was neither
lossless nor byte-identical. This encoder writes what `datetime.isoformat()` gives,
which `loaddata` parses back exactly; everything else is Django's own format, and any
Django project can load these fixtures.
"""

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as DjangoJSONSerializer

__all__ = ["Deserializer", "LosslessJSONEncoder", "Serializer"]


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
