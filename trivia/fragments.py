"""Each fact's list item (`includes/fact.html`), rendered once and kept until what it shows changes.

A 100-fact page spends most of a first visit rendering the same list items it rendered
before the last edit: an edit changes one fact, but the content version (and so every
page's ETag and page-cache key, trivia/page_cache.py) moves for all of them. So each
item is kept on its own, in the `fragments` cache alias (Redis when `REDIS_URL` is set,
else each worker's memory), which the page cache's turnover never empties.

The key is made of exactly what the item prints: the fact's key, text and draft state,
its footnote numbers and "needs attention" flag, its topic's name and slug (person
pages), the people it mentions (names and slugs) and whether the page is one of theirs,
plus the release and the URL prefix. A digest of the values themselves rather than a
version number bumped by triggers: whatever writes the rows (an editor, `trivia.bulk`,
`loaddata`, raw SQL, a rolled-back test), an item whose inputs changed has a new key,
so a kept item can never be stale; entries nobody asks for again expire. The cost is
hashing ~1 KB per fact, a small fraction of rendering it.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe

FRAGMENT_CACHE_ALIAS = "fragments"
FACT_ITEM_TEMPLATE = "includes/fact.html"
# Separates the fields of a key's material; cannot occur in a field (text is stored without NUL).
SEPARATOR = "\x00"


def item_key(fact, show_topic: bool, page_person: bool, autoescape: bool = True) -> str:
    """The cache key of `fact`'s list item as `includes/fact.html` renders it with this context."""
    fields = [
        settings.RELEASE,
        get_script_prefix(),
        str(autoescape),
        fact.key,
        fact.text,
        str(fact.is_published),
        ",".join(str(reference.number) for reference in fact.footnotes),
        str(fact.needs_attention),
        str(page_person),
    ]
    if show_topic:
        fields += [fact.topic.name, fact.topic.slug]
    for person in fact.mentions:
        fields += [person.name, person.slug]
    digest = hashlib.sha256(SEPARATOR.join(fields).encode()).hexdigest()[:32]
    return f"fact:{fact.pk}:{digest}"


def kept_items(keys: list[str]) -> dict[str, str]:
    """The kept items among `keys` (one `get_many`: one round trip to Redis)."""
    if not keys:
        return {}
    return caches[FRAGMENT_CACHE_ALIAS].get_many(keys)


def keep_items(items: dict[str, str]) -> None:
    if items:
        caches[FRAGMENT_CACHE_ALIAS].set_many(items)


def prefetch(facts, show_topic: bool = False, page_person: bool = False) -> None:
    """Look up every item of a page at once, so the template's groups make no round trip of their own.

    Sets `fact.kept_item` (the HTML, or None when it must be rendered) under the key the
    template will ask for; a group rendered with another context simply misses and renders.
    """
    keys = {fact.pk: item_key(fact, show_topic, page_person) for fact in facts}
    found = kept_items(list(keys.values()))
    for fact in facts:
        fact.kept_item = (keys[fact.pk], found.get(keys[fact.pk]))


def render_items(context, facts) -> str:
    """The facts' list items, from the cache where kept, else rendered (and kept), as the include would."""
    show_topic, page_person = bool(context.get("show_topic")), bool(context.get("page_person"))
    keys = [item_key(fact, show_topic, page_person, context.autoescape) for fact in facts]
    html: dict[str, str] = {}
    unknown = []
    for fact, key in zip(facts, keys, strict=True):
        prefetched = getattr(fact, "kept_item", None)
        if prefetched is not None and prefetched[0] == key:
            if prefetched[1] is not None:
                html[key] = prefetched[1]
        else:
            unknown.append(key)
    html.update(kept_items(unknown))
    rendered = {}
    template = None
    for fact, key in zip(facts, keys, strict=True):
        if key not in html:
            template = template or context.template.engine.get_template(FACT_ITEM_TEMPLATE)
            with context.push(fact=fact):
                html[key] = rendered[key] = str(template.render(context))
    keep_items(rendered)
    return mark_safe("".join(html[key] for key in keys))
