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
REFERENCE_ITEM_TEMPLATE = "includes/reference.html"
# Separates the fields of a key's material; cannot occur in a field (text is stored without NUL).
SEPARATOR = "\x00"


def _key(kind: str, pk, fields: list[str], autoescape: bool) -> str:
    """A key naming the release, the URL prefix (links are in the HTML) and the digest of `fields`."""
    material = SEPARATOR.join([settings.RELEASE, get_script_prefix(), str(autoescape), *fields])
    return f"{kind}:{pk}:{hashlib.sha256(material.encode()).hexdigest()[:32]}"


def item_key(fact, show_topic: bool, page_person: bool, autoescape: bool = True) -> str:
    """The cache key of `fact`'s list item as `includes/fact.html` renders it with this context."""
    fields = [
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
    return _key("fact", fact.pk, fields, autoescape)


def reference_key(reference, autoescape: bool = True) -> str:
    """The cache key of a note as `includes/reference.html` renders it: everything it prints."""
    citation = reference.citation
    fields = [
        str(reference.number),
        reference.url,
        reference.short_title,
        str(reference.is_spoiler),
        str(citation.is_broken),
        citation.broken_reason,
        str(citation.paragraph),
        citation.quote,
    ]
    for letter, fact in reference.backlinks:
        fields += [letter, fact.key]
    return _key("note", citation.pk, fields, autoescape)


def _kept(keys: list[str]) -> dict[str, str]:
    """The kept items among `keys` (one `get_many`: one round trip to Redis)."""
    if not keys:
        return {}
    return caches[FRAGMENT_CACHE_ALIAS].get_many(keys)


def prefetch(facts, references=(), *, show_topic: bool = False, page_person: bool = False) -> None:
    """Look up every item of a page at once, so the template's groups make no round trip of their own.

    Sets `kept_item` on each fact and reference: (its key, the HTML or None when it must be
    rendered). The template computes the key again from its own context and renders
    anything whose key differs, so a wrong guess here costs a render, never a wrong page.
    """
    keyed = [(fact, item_key(fact, show_topic, page_person)) for fact in facts]
    keyed += [(reference, reference_key(reference)) for reference in references]
    found = _kept([key for _, key in keyed])
    for item, key in keyed:
        item.kept_item = (key, found.get(key))


def render_cached(context, items, key, template_name: str, name: str) -> str:
    """Each of `items` rendered by `template_name` with it as `name`, from the fragment cache where kept."""
    keys = [key(item, context.autoescape) for item in items]
    html: dict[str, str] = {}
    unknown = []
    for item, item_key_ in zip(items, keys, strict=True):
        prefetched = getattr(item, "kept_item", None)
        if prefetched is not None and prefetched[0] == item_key_:
            if prefetched[1] is not None:
                html[item_key_] = prefetched[1]
        else:
            unknown.append(item_key_)
    html.update(_kept(unknown))
    rendered = {}
    template = None
    for item, item_key_ in zip(items, keys, strict=True):
        if item_key_ not in html:
            template = template or context.template.engine.get_template(template_name)
            with context.push({name: item}):
                html[item_key_] = rendered[item_key_] = str(template.render(context))
    if rendered:
        caches[FRAGMENT_CACHE_ALIAS].set_many(rendered)
    return mark_safe("".join(html[item_key_] for item_key_ in keys))


def render_fact_items(context, facts) -> str:
    """The facts' list items, as `{% for fact in facts %}{% include "includes/fact.html" %}` would write them."""
    show_topic, page_person = bool(context.get("show_topic")), bool(context.get("page_person"))
    return render_cached(
        context, facts, lambda fact, escape: item_key(fact, show_topic, page_person, escape), FACT_ITEM_TEMPLATE, "fact"
    )


def render_reference_items(context, references) -> str:
    """The page's notes, as `includes/reference.html` writes each."""
    return render_cached(context, references, reference_key, REFERENCE_ITEM_TEMPLATE, "reference")
