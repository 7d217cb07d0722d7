"""Readable history: what changed between consecutive versions of a row, field by field.

django-reversion stores each saved version as serialized data; the admin's history page
only lists dates and comments. Editors need to see *what* changed ("text: … → …",
"citation added"), and a refused stale save needs to say who changed what. Both are
computed here, in Python, from the stored versions.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.contrib.admin.utils import quote
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from .. import text
from ..models import Citation, Source

# Values longer than this are shown as a word diff instead of "old → new".
LONG_VALUE = 120
# Unchanged words kept either side of a change in a word diff.
CONTEXT_WORDS = 8
WORDS = re.compile(r"\s+|[^\s]+")


@dataclass
class FieldChange:
    label: str
    old: str = ""
    new: str = ""
    diff: SafeString | None = None  # for long text: the changed words marked with <del>/<ins>


@dataclass
class HistoryEntry:
    version: Version
    url: str
    is_creation: bool
    changes: list[FieldChange] = field(default_factory=list)
    related_changes: list[str] = field(default_factory=list)

    @property
    def revision(self):
        return self.version.revision


def tracked_fields(model) -> list[models.Field]:
    """The fields worth showing in a diff: what reversion stores, minus bookkeeping."""
    skip = {"id", "created_at", "updated_at", "lock_version", "search_document", "sha256", "paragraph"}
    return [
        f
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False) and not f.auto_created and f.name not in skip
    ]


def display_value(model_field, value, cache: dict) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(model_field, models.ManyToManyField):
        related = model_field.related_model
        names = [related_label(related, pk, cache) for pk in value]
        return ", ".join(sorted(names)) or "(none)"
    if isinstance(model_field, models.ForeignKey):
        return related_label(model_field.related_model, value, cache)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def related_label(model, pk, cache: dict) -> str:
    key = (model, str(pk))
    if key not in cache:
        obj = model._default_manager.filter(pk=pk).first()
        cache[key] = str(obj) if obj is not None else f"{model._meta.verbose_name} #{pk} (deleted)"
    return cache[key]


def word_diff(old: str, new: str) -> SafeString:
    """The changed words of a long text, escaped, with a little unchanged context around them.

    Lines are matched first and words only inside the lines that changed: a word-level
    match over a whole 50 KB source took half a minute (common words match everywhere).
    """
    old_lines, new_lines = text.line_chunks(old), text.line_chunks(new)
    opcodes = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
    pieces = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = WORDS.findall("".join(old_lines[i1:i2]))
            pieces.append(unchanged_words(words, first=index == 0, last=index == len(opcodes) - 1))
        else:
            pieces.append(changed_words("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])))
    return mark_safe("".join(pieces))  # every piece was escaped by format_html


def unchanged_words(words: list[str], *, first: bool, last: bool) -> SafeString:
    if len(words) <= 2 * CONTEXT_WORDS:
        return format_html("{}", "".join(words))
    head = "" if first else "".join(words[:CONTEXT_WORDS])
    tail = "" if last else "".join(words[-CONTEXT_WORDS:])
    return format_html('{}<span class="diff-skip"> … </span>{}', head, tail)


def changed_words(old: str, new: str) -> SafeString:
    old_words, new_words = WORDS.findall(old), WORDS.findall(new)
    opcodes = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes()
    pieces = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            pieces.append(unchanged_words(old_words[i1:i2], first=index == 0, last=index == len(opcodes) - 1))
            continue
        if i2 > i1:
            pieces.append(deleted("".join(old_words[i1:i2])))
        if j2 > j1:
            pieces.append(inserted("".join(new_words[j1:j2])))
    return mark_safe("".join(pieces))  # every piece was escaped by format_html


# Insertions and deletions told apart by more than colour: each says what it is to screen readers,
# and the stylesheet marks them with "+" / "−" and underline / strike-through (admin-editorial.css).
def deleted(words: str) -> SafeString:
    return format_html('<del><span class="visually-hidden">deleted: </span>{}</del>', words)


def inserted(words: str) -> SafeString:
    return format_html('<ins><span class="visually-hidden">inserted: </span>{}</ins>', words)


def field_changes(model, old: dict | None, new: dict, cache: dict) -> list[FieldChange]:
    """Field-by-field changes from `old` to `new` (reversion field dicts); all fields when `old` is None."""
    changes = []
    for model_field in tracked_fields(model):
        key = model_field.attname
        if key not in new:
            continue
        before = None if old is None else old.get(key)
        after = new.get(key)
        if isinstance(model_field, models.ManyToManyField):
            before = sorted(before or [], key=str) if old is not None else None
            after = sorted(after or [], key=str)
        if old is not None and before == after:
            continue
        if old is None and after in (None, "", [], False):
            continue
        label = str(model_field.verbose_name).capitalize()
        new_text = display_value(model_field, after, cache)
        old_text = "" if old is None else display_value(model_field, before, cache)
        if isinstance(before, str) and isinstance(after, str) and max(len(before), len(after)) > LONG_VALUE:
            changes.append(FieldChange(label, diff=word_diff(before, after)))
        elif old is None and isinstance(after, str) and len(after) > LONG_VALUE:
            changes.append(FieldChange(label, new=text.shorten(after, LONG_VALUE)))
        else:
            changes.append(FieldChange(label, old=old_text, new=new_text))
    return changes


def citation_summary(fields: dict, cache: dict) -> str:

    source = related_label(Source, fields.get("source_id"), cache)
    return f"{source}: “{text.shorten(fields.get('quote', ''), 80)}”"


def related_citation_changes(fact_pk, version: Version, previous: Version | None, cache: dict) -> list[str]:
    """Citations added, removed or changed between two versions of a fact (they share its revisions)."""

    def citations_in(v):
        if v is None:
            return {}
        found = {}
        for cited in v.revision.version_set.filter(content_type__model="citation", content_type__app_label="trivia"):
            fields = cited.field_dict
            if str(fields.get("fact_id")) == str(fact_pk):
                found[cited.object_id] = fields
        return found

    before, after = citations_in(previous), citations_in(version)
    lines = []
    for object_id, fields in after.items():
        if object_id not in before:
            lines.append(f"Citation added — {citation_summary(fields, cache)}")
            continue
        changed = field_changes(Citation, before[object_id], fields, cache)
        if changed:
            labels = ", ".join(change.label.lower() for change in changed)
            lines.append(f"Citation changed ({labels}) — {citation_summary(fields, cache)}")
    if previous is not None:
        for object_id, fields in before.items():
            if object_id not in after:
                lines.append(f"Citation removed — {citation_summary(fields, cache)}")
    return lines


def history_entries(model_admin, obj_pk, versions) -> list[HistoryEntry]:
    """One entry per stored version (oldest first), each with its changes from the one before."""
    opts = model_admin.model._meta
    cache: dict = {}
    entries = []
    previous = None
    follows_citations = opts.model_name == "fact"
    for version in versions:
        url = reverse(
            f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
            args=(quote(version.object_id), version.pk),
        )
        entry = HistoryEntry(version=version, url=url, is_creation=previous is None)
        entry.changes = field_changes(
            model_admin.model, previous.field_dict if previous else None, version.field_dict, cache
        )
        if follows_citations:
            entry.related_changes = related_citation_changes(obj_pk, version, previous, cache)
        entries.append(entry)
        previous = version
    return entries


def describe_conflict(instance, seen: int, current: int, submitted: dict) -> str:
    """The message for a refused stale save: who saved since, when, and which fields differ."""
    name = instance._meta.verbose_name
    parts = [f"Someone else saved this {name} after you opened it, so your changes have not been saved."]
    newer_saves = max(current - seen, 1)
    recent = list(
        Version.objects.get_for_object(instance).select_related("revision__user").order_by("-pk")[: newer_saves + 1]
    )
    theirs, base = recent[:newer_saves], recent[newer_saves] if len(recent) > newer_saves else None
    if theirs:
        who = []
        for version in theirs:
            user = version.revision.user
            when = date_format(timezone.localtime(version.revision.date_created), "j M Y, H:i")
            who.append(f"{user.get_username() if user else 'an unknown user'} on {when}")
        parts.append("Saved by " + "; ".join(who) + ".")
        if base is not None:
            cache: dict = {}
            changed = [
                c.label.lower() for c in field_changes(type(instance), base.field_dict, theirs[0].field_dict, cache)
            ]
            if instance._meta.model_name == "fact":
                changed += [
                    line.split(" — ")[0].lower()
                    for line in related_citation_changes(instance.pk, theirs[0], base, cache)
                ]
            if changed:
                parts.append("They changed: " + ", ".join(changed) + ".")
    differing = fields_differing_from_stored(instance, submitted)
    if differing:
        parts.append("The saved version differs from yours in: " + ", ".join(differing) + ".")
    parts.append(
        "Your input is kept below. Check the current version (open it in another tab), "
        "then save again to replace it with yours."
    )
    return " ".join(parts)


def fields_differing_from_stored(instance, submitted: dict) -> list[str]:
    stored = type(instance)._default_manager.get(pk=instance.pk)
    labels = []
    for name, value in submitted.items():
        try:
            model_field = stored._meta.get_field(name)
        except Exception:  # a form-only field such as the occurrence paragraph
            continue
        if isinstance(model_field, models.ManyToManyField):
            current = {o.pk for o in getattr(stored, name).all()}
            mine = {o.pk for o in (value or [])}
        else:
            current = getattr(stored, name)
            mine = value
            if isinstance(current, str) and isinstance(mine, str):
                current, mine = text.normalise_newlines(current), text.normalise_newlines(mine)
        if current != mine:
            labels.append(str(model_field.verbose_name))
    return labels


def render_changes(entry: HistoryEntry) -> SafeString:
    """The change list of one history entry as HTML (escaped), for the history template."""
    items = []
    for change in entry.changes:
        if change.diff is not None:
            items.append(
                format_html('<li><strong>{}</strong>: <span class="diff">{}</span></li>', change.label, change.diff)
            )
        elif entry.is_creation:
            items.append(format_html("<li><strong>{}</strong>: {}</li>", change.label, change.new))
        else:
            items.append(
                format_html(
                    "<li><strong>{}</strong>: {} → {}</li>", change.label, deleted(change.old), inserted(change.new)
                )
            )
    items.extend(format_html("<li>{}</li>", line) for line in entry.related_changes)
    if not items:
        return format_html("<p>{}</p>", "No field changes.")
    return format_html('<ul class="history-changes">{}</ul>', format_html_join("", "{}", ((i,) for i in items)))
