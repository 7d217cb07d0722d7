"""Compressed public pages: each page is compressed once per coding, and kept so.

A film page is ~100 KB of HTML and a sixth of that compressed. Compressing on every
request would cost more than serving the page from the cache, so the page cache keeps
the compressed bodies beside the plain one and a request picks the one its
`Accept-Encoding` asks for. A render compresses only the coding its client asked for
(compressing both cost a first visit 1.5 ms of a film page's CPU); another coding is made
the first time a client asks for it, and kept too (trivia/page_cache.py).

Only the public pages are compressed: they carry no secret and no CSRF token, so
compression reveals nothing (BREACH needs a secret reflected next to attacker-chosen
text). The admin is never compressed.

Each encoding is its own representation with its own ETag (`"…-br"`, `"…-gzip"`), and
responses say `Vary: Accept-Encoding`, so no cache hands a compressed body to a client
that did not ask for it, and a 304 always refers to the bytes the client holds.
"""

import gzip

import brotli

IDENTITY = "identity"
# Preferred first when a client accepts several equally.
ENCODINGS = ("br", "gzip")
# Smaller bodies gain less than the Content-Encoding header costs.
MIN_BYTES = 1024
# Quality 5 and level 6: most of the best ratio for a few milliseconds per page, paid once per render.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6


def accepted(accept_encoding: str) -> dict[str, float]:
    """The q-value the client gives each coding in an `Accept-Encoding` header."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name] = weight
    return weights


def negotiate(accept_encoding: str) -> str:
    """The coding to send: the client's highest-weighted of br and gzip, else identity."""
    weights = accepted(accept_encoding)
    best, best_weight = IDENTITY, 0.0
    for name in ENCODINGS:
        weight = weights.get(name, weights.get("*", 0.0))
        if weight > best_weight:
            best, best_weight = name, weight
    return best


def compress(body: bytes, name: str) -> bytes | None:
    """`body` in the coding `name` (br or gzip), or None when that would not make it smaller."""
    if len(body) < MIN_BYTES:
        return None
    if name == "br":
        packed = brotli.compress(body, quality=BROTLI_QUALITY)
    else:
        # mtime=0: the same page gives the same bytes on every host.
        packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    return packed if len(packed) < len(body) else None


def compressed_bodies(body: bytes, names=ENCODINGS) -> dict[str, bytes]:
    """The plain body and, when worth it, its forms in the codings `names` (by default all of them)."""
    bodies = {IDENTITY: body}
    for name in names:
        packed = compress(body, name)
        if packed is not None:
            bodies[name] = packed
    return bodies


def etag_for(etag: str, encoding: str) -> str:
    """The ETag of one coding of a page: the plain ETag with the coding's name appended."""
    if encoding == IDENTITY:
        return etag
    return f'{etag[:-1]}-{encoding}"'
