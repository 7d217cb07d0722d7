"""A source text edit that would break citations of published facts is held until the editor confirms it."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.admin_forms import source_form_data
from tests.factories import CitationFactory, SourceFactory
from trivia.models import Citation, Fact, Source
from trivia.services import anchoring

pytestmark = pytest.mark.django_db

ORIGINAL = (
    "The studio doubted the picture from the first day of shooting.\n\n"
    "A painter designed every backdrop of the long dream sequence by hand.\n\n"
    "The lead actor learned to dance in six months and never used a double."
)
# The painter's sentence is rewritten (its citation breaks); a paragraph is added before the others (they move).
EDITED = "Opening words.\n\n" + ORIGINAL.replace("A painter designed every backdrop", "Painters made the backdrops")


@pytest.fixture
def source():
    return SourceFactory(title="Studio notes", content=ORIGINAL)


def cite(source, quote, status=Fact.Status.PUBLISHED, text=None):
    return CitationFactory(source=source, quote=quote, fact__status=status, fact__text=text or f"About {quote}.")


def save(client, source, content, **extra):
    return client.post(
        reverse("admin:trivia_source_change", args=[source.pk]), source_form_data(source, content=content, **extra)
    )


def test_an_edit_breaking_a_published_citation_is_held_with_what_would_happen(editor_client, source):
    broken = cite(source, "A painter designed every backdrop", text="Backdrops painted by hand.")
    moved = cite(source, "The lead actor learned to dance", text="The lead learned to dance.")

    response = save(editor_client, source, EDITED)

    assert response.status_code == 200
    source.refresh_from_db()
    assert source.content == ORIGINAL
    html = unescape(response.content.decode())
    assert "Confirm this text change: 1 citation of published facts would break" in html
    hold = html[
        html.index('id="text-change-heading"') : html.index("</section>", html.index('id="text-change-heading"'))
    ]
    assert f'href="{reverse("admin:trivia_fact_change", args=[broken.fact_id])}"' in hold
    assert "Backdrops painted by hand." in hold and "The quote no longer occurs in the source." in hold
    assert "Would be re-anchored (1)" in hold and "The lead learned to dance." in hold and "paragraph 3 → 4" in hold
    assert re.search(r'<button[^>]*name="confirm_text_change"', hold)
    assert Citation.objects.get(pk=moved.pk).start == moved.start


def test_saving_again_with_the_confirmation_changes_the_text_as_previewed(editor_client, source):
    broken = cite(source, "A painter designed every backdrop")
    moved = cite(source, "The lead actor learned to dance")
    held = save(editor_client, source, EDITED)
    sha = held.context["adminform"].form.text_change_sha256

    response = save(editor_client, source, EDITED, confirm_text_change="1", reviewed_text_sha256=sha)

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.content == EDITED
    assert Citation.objects.get(pk=broken.pk).is_broken
    moved.refresh_from_db()
    assert not moved.is_broken and EDITED[moved.start : moved.end] == moved.quote


def test_a_confirmation_for_another_text_is_previewed_again(editor_client, source):
    cite(source, "A painter designed every backdrop")
    sha = save(editor_client, source, EDITED).context["adminform"].form.text_change_sha256
    other = EDITED.replace("Opening words.", "Other opening words.")
    response = save(editor_client, source, other, confirm_text_change="1", reviewed_text_sha256=sha)
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.content == ORIGINAL


def test_the_preview_is_exactly_what_re_anchoring_then_does(source):
    cite(source, "A painter designed every backdrop")
    cite(source, "The lead actor learned to dance")
    cite(source, "The studio doubted the picture", status=Fact.Status.DRAFT)
    edited = Source.objects.get(pk=source.pk)
    edited.content = EDITED
    preview = anchoring.preview_reanchoring(edited, ORIGINAL)

    source.content = EDITED
    done = anchoring.reanchor_citations(source, previous_content=ORIGINAL)
    source.save()

    def shape(report):
        return (
            sorted((c.pk, c.start, c.end) for c in report.moved),
            sorted((c.pk, reason) for c, reason in report.broken),
            sorted(c.pk for c in report.repaired),
            report.unchanged,
        )

    assert shape(preview) == shape(done)
    assert not Citation.objects.filter(is_broken=True).exclude(pk__in=[c.pk for c, _ in done.broken]).exists()


def test_an_edit_breaking_only_drafts_or_moving_citations_is_saved_at_once(editor_client, source):
    draft = cite(source, "A painter designed every backdrop", status=Fact.Status.DRAFT)
    cite(source, "The lead actor learned to dance")
    response = save(editor_client, source, EDITED)
    assert response.status_code == 302
    assert Citation.objects.get(pk=draft.pk).is_broken


def test_a_stale_form_is_refused_before_anything_is_previewed(editor_client, source):
    cite(source, "A painter designed every backdrop")
    data = source_form_data(source, content=EDITED)
    Source.objects.filter(pk=source.pk).update(lock_version=source.lock_version + 1)
    response = editor_client.post(reverse("admin:trivia_source_change", args=[source.pk]), data)
    html = unescape(response.content.decode())
    assert "Someone else saved this source after you opened it" in html
    assert "Confirm this text change" not in html
