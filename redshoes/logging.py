"""One-line, key=value log records for stdout.

Process managers and log collectors read stdout line by line; a record that spans
lines (a traceback) would be split into unrelated events. Every record here is one
line, `ts=… level=… logger=… msg="…"`, readable by a person and parseable as logfmt.
Request records (Django's `django.request` and `django.server` loggers) also carry
the method, path and status, so an error line says which page failed.
"""

import logging
from datetime import UTC, datetime

# Characters that make a value need quoting in logfmt.
_NEEDS_QUOTES = frozenset(' "=\\')


def logfmt_value(value) -> str:
    """A value as logfmt: bare when it is one plain word, else quoted with escapes.

    Newlines and other control characters are escaped so a record is always one line,
    whatever a user typed into a URL or a form.
    """
    text = str(value)
    if text and not any(ch in _NEEDS_QUOTES or ch < " " or ch == "\x7f" for ch in text):
        return text
    escaped = []
    for ch in text:
        if ch == "\\":
            escaped.append("\\\\")
        elif ch == '"':
            escaped.append('\\"')
        elif ch == "\n":
            escaped.append("\\n")
        elif ch == "\r":
            escaped.append("\\r")
        elif ch == "\t":
            escaped.append("\\t")
        elif ch < " " or ch == "\x7f":
            escaped.append(f"\\x{ord(ch):02x}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


class LineFormatter(logging.Formatter):
    """Formats a record as one logfmt line (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        timestamp = datetime.fromtimestamp(record.created, tz=UTC)
        fields = [
            ("ts", timestamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp.microsecond // 1000:03d}Z"),
            ("level", record.levelname),
            ("logger", record.name),
            ("msg", record.getMessage()),
        ]
        request = getattr(record, "request", None)
        # django.server passes the socket rather than an HttpRequest; only use real requests.
        if request is not None and hasattr(request, "method") and hasattr(request, "path"):
            fields.append(("method", request.method))
            fields.append(("path", request.path))
        status = getattr(record, "status_code", None)
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            # gunicorn passes the access-log atoms as a dict: m method, U path, s status.
            fields.append(("method", record.args.get("m", "-")))
            fields.append(("path", record.args.get("U", "-")))
            status = record.args.get("s")
        if status is not None:
            fields.append(("status", status))
        if record.exc_info and record.exc_info[0] is not None:
            fields.append(("exc_type", record.exc_info[0].__name__))
            # The traceback stays in the line, escaped, so it is never separated from its event.
            fields.append(("traceback", self.formatException(record.exc_info)))
        return " ".join(f"{key}={logfmt_value(value)}" for key, value in fields)


def stdout_logging(level: str, loggers: dict) -> dict:
    """A `dictConfig` sending every record, as one `LineFormatter` line, to stdout through the root logger.

    Django's settings and gunicorn's config both use it, so the web server's and the
    app's records share one handler and one format; `loggers` only adjusts levels and
    routes named loggers through the root.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"()": "redshoes.logging.LineFormatter"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "line"},
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": loggers,
    }
