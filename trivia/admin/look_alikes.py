"""Holding a fact that may repeat another: the warning on the fact form, and the button that saves it anyway.

A fact citing a passage another fact already cites, or nearly repeating another fact of
its film (`services.drafting.look_alikes` decides), is not saved the first time: the form
comes back with the other facts linked. Saving again with the confirmation saves it.
"""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .. import text
from ..models import Fact
from ..services import drafting

# Its name holds "confirm": the one field that turns a held save into a save.
CONFIRM_DUPLICATE = "confirm_duplicate"


def is_confirmed(data) -> bool:
    return data.get(CONFIRM_DUPLICATE, "") not in ("", "0", "false")


def hold_if_repeating(fact: Fact, passages: list[tuple[int, int, int]], data) -> None:
    """Raise a `ValidationError` naming the facts this one may repeat, unless the editor confirmed saving it."""
    if is_confirmed(data) or fact.film_id is None or not fact.text:
        return
    text_changed = fact.pk is None or Fact.objects.filter(pk=fact.pk).exclude(text=fact.text).exists()
    if not passages and not text_changed:
        return
    found = drafting.look_alikes(fact, passages, text_changed=text_changed)
    if found:
        raise ValidationError(warning(found), code="look_alike")


def _fact_links(facts) -> str:
    return format_html_join(
        "",
        '<li><a href="{}" target="_blank" rel="noopener">{}</a>{}</li>',
        (
            (
                reverse("admin:trivia_fact_change", args=[fact.pk]),
                text.shorten(" ".join(fact.text.split()), 120),
                " (draft)" if fact.is_draft else "",
            )
            for fact in facts
        ),
    )


def warning(found: drafting.LookAlikes):
    parts = [format_html("<p><strong>{}</strong></p>", "Not saved yet: this fact may repeat another.")]
    for shared in found.passages:
        parts.append(
            format_html(
                "<p>The passage “{}” of “{}” is already cited by:</p><ul>{}</ul>",
                text.shorten(" ".join(shared.quote.split()), 140),
                shared.source_title,
                _fact_links(shared.facts),
            )
        )
    if found.similar:
        parts.append(format_html("<p>Its text nearly repeats:</p><ul>{}</ul>", _fact_links(found.similar)))
    parts.append(
        format_html(
            "<p>Check them (they open in a new tab). If this fact says something they do not, save it anyway: "
            '<button type="submit" class="button default" name="{}" value="1">Save anyway</button></p>',
            CONFIRM_DUPLICATE,
        )
    )
    return format_html('<div class="ed-hold">{}</div>', format_html_join("", "{}", ((part,) for part in parts)))
