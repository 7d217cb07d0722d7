"""Downloads, uploads and draft facts in the admin, as an editor (and a non-editor) meets them."""

import html
import json
import re
from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, FilmFactory, SourceFactory
from tests.test_import_source import CRLF_NOTES, CRLF_PARAGRAPHS, DATA
from trivia import text
from trivia.jobs.models import Job
from trivia.models import Citation, Fact, Source
from trivia.services import importing
from trivia.services.roles import create_editor

pytestmark = pytest.mark.django_db

EXPORT_ALL = "admin:trivia_fact_export_all"


@pytest.fixture
def editor_client(client):
    client.force_login(create_editor("edna", "a-long-enough-passphrase"))
    return client


def downloaded(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return b"".join(response.streaming_content).decode("utf-8")


def exported(client, response) -> str:
    """Follow an export to its job page (it ran at once: the tests' task backend is immediate) and download its file."""
    assert response.status_code == 302, "an export is started, then its job page shown"
    job_page = client.get(response["Location"])
    assert job_page.status_code == 200
    assert "Done" in job_page.content.decode()
    link = re.search(r'href="([^"]+/download/)"', job_page.content.decode())
    assert link, "the finished job's page offers the file"
    return downloaded(client.get(link.group(1)))


def fixture_models(text: str) -> list[str]:
    return [entry["model"] for entry in json.loads(text)]


# --- Export: staff only ---------------------------------------------------------------------------


def test_export_all_says_what_it_holds_before_it_starts(editor_client, seeded):
    page = editor_client.get(reverse(EXPORT_ALL)).content.decode()

    assert f"{Fact.objects.count()} facts" in page
    assert "Start the export" in page
    assert not Job.objects.exists()


def test_export_all_downloads_what_export_trivia_writes(editor_client, seeded):
    out = StringIO()
    call_command("export_trivia", stdout=out)

    assert exported(editor_client, editor_client.post(reverse(EXPORT_ALL))) == out.getvalue()


def test_export_published_leaves_out_drafts(editor_client, seeded):
    FactFactory(status=Fact.Status.DRAFT, text="An unpublished rumour.")
    everything = exported(editor_client, editor_client.post(reverse(EXPORT_ALL)))
    published = exported(editor_client, editor_client.post(reverse(EXPORT_ALL) + "?published=1"))

    assert "An unpublished rumour." in everything
    assert "An unpublished rumour." not in published
    assert published.count('"model": "trivia.fact"') == Fact.objects.published().count()


def test_export_all_is_refused_to_visitors_and_non_staff(client, seeded):
    for method in (client.get, client.post):
        response = method(reverse(EXPORT_ALL))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]

    client.force_login(User.objects.create_user("reader", password="a-long-enough-passphrase"))
    for method in (client.get, client.post):
        response = method(reverse(EXPORT_ALL))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    assert not Job.objects.exists()


def test_export_all_is_refused_to_staff_who_may_not_view_facts(client, seeded):
    client.force_login(User.objects.create_user("intern", password="a-long-enough-passphrase", is_staff=True))
    assert client.get(reverse(EXPORT_ALL)).status_code == 403
    assert client.post(reverse(EXPORT_ALL)).status_code == 403
    assert not Job.objects.exists()


def test_fact_list_links_to_both_exports(editor_client, seeded):
    response = editor_client.get(reverse("admin:trivia_fact_changelist"))
    page = response.content.decode()
    assert f'href="{reverse(EXPORT_ALL)}"' in page
    assert f'href="{reverse(EXPORT_ALL)}?published=1"' in page


def test_export_action_on_facts_downloads_just_those_facts_and_what_they_need(editor_client, seeded):
    chosen = Fact.objects.order_by("pk")[:2]
    response = editor_client.post(
        reverse("admin:trivia_fact_changelist"),
        {"action": "export_selected_facts", ACTION_CHECKBOX_NAME: [f.pk for f in chosen]},
    )
    text = exported(editor_client, response)

    assert sorted(e["fields"]["key"] for e in json.loads(text) if e["model"] == "trivia.fact") == sorted(
        f.key for f in chosen
    )
    assert "trivia.film" in fixture_models(text) and "trivia.source" in fixture_models(text)
    assert "trivia.credit" not in fixture_models(text)


def test_export_action_on_films_downloads_the_film_with_its_credits(editor_client, red_shoes):
    other = FactFactory(text="A fact about another film.")
    response = editor_client.post(
        reverse("admin:trivia_film_changelist"),
        {"action": "export_selected_films", ACTION_CHECKBOX_NAME: [red_shoes.pk]},
    )
    text = exported(editor_client, response)

    assert fixture_models(text).count("trivia.fact") == red_shoes.facts.count()
    assert fixture_models(text).count("trivia.credit") == red_shoes.credits.count()
    assert other.text not in text


# --- A source's add page: upload or paste ---------------------------------------------------------


def add_source(client, **data):
    fields = {"title": "Bijou notes", "slug": "", "kind": Source.Kind.ARTICLE, "url": "", "content": ""}
    fields.update(data)
    return client.post(reverse("admin:trivia_source_add"), fields)


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/plain")


def form_errors(response) -> str:
    assert response.status_code == 200, "expected the form again, with errors"
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def test_add_page_offers_a_file_upload_and_is_multipart(editor_client):
    page = editor_client.get(reverse("admin:trivia_source_add")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="upload"' in page
    assert 'name="content"' in page


def test_uploaded_crlf_file_is_stored_verbatim_with_newlines(editor_client):
    response = add_source(editor_client, upload=upload(CRLF_NOTES))

    assert response.status_code == 302
    source = Source.objects.get()
    assert source.slug == "bijou-notes"
    assert "\r" not in source.content
    assert [p.text for p in source.paragraphs()] == CRLF_PARAGRAPHS
    assert source.sha256 == text.sha256_hex(source.content)


def test_pasted_text_is_stored(editor_client):
    response = add_source(editor_client, content="Pasted in a hurry.\r\n\r\nSecond “paragraph”.")

    assert response.status_code == 302
    assert Source.objects.get().content == "Pasted in a hurry.\n\nSecond “paragraph”."


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("latin1_notes.txt", "not UTF-8 text"),
        ("not_text.png", "looks like a binary file"),
        ("whitespace_only.txt", "empty or holds only whitespace"),
    ],
)
def test_bad_upload_is_refused_on_the_form(editor_client, filename, message):
    response = add_source(editor_client, upload=upload(DATA / filename))

    errors = form_errors(response)
    assert message in errors
    assert "A source needs some text" not in errors, "one error for one problem"
    assert not Source.objects.exists()


def test_upload_over_the_size_limit_is_refused(editor_client):
    big = SimpleUploadedFile("big.txt", b"x" * (importing.MAX_DOCUMENT_BYTES + 1), content_type="text/plain")
    response = add_source(editor_client, upload=big)

    # The same words as `import_source`, with exact byte counts.
    assert form_errors(response) == (
        "big.txt is 2,097,153 bytes; a source document may be at most 2,097,152 bytes (2 MiB). "
        "Split it into smaller documents."
    )
    assert not Source.objects.exists()


def test_document_already_imported_is_refused_naming_its_source(editor_client):
    add_source(editor_client, upload=upload(CRLF_NOTES))
    response = add_source(editor_client, title="Same again", upload=upload(CRLF_NOTES))

    assert "already imported, as the source “Bijou notes”" in form_errors(response)
    assert Source.objects.count() == 1


def test_neither_or_both_upload_and_paste_is_refused(editor_client):
    neither = form_errors(add_source(editor_client))
    assert "Upload a .txt file above or paste the text" in neither
    assert "A source needs some text" not in neither
    both = add_source(editor_client, content="Pasted.", upload=upload(CRLF_NOTES))
    assert "not both" in form_errors(both)
    assert not Source.objects.exists()


def test_change_page_is_the_ordinary_edit_form(editor_client):
    source = SourceFactory()
    page = editor_client.get(reverse("admin:trivia_source_change", args=[source.pk])).content.decode()
    assert 'name="upload"' not in page
    assert 'name="content"' in page


# --- Draft facts from paragraphs ------------------------------------------------------------------


def run_draft_facts_action(client, sources, **extra):
    return client.post(
        reverse("admin:trivia_source_changelist"),
        {"action": "create_draft_facts", ACTION_CHECKBOX_NAME: [s.pk for s in sources], **extra},
        follow="apply" in extra,
    )


def test_draft_facts_action_first_asks_which_film(editor_client):
    source = SourceFactory(title="Notes from Monte Carlo")
    FilmFactory(title="The Red Shoes", year=1948)

    response = run_draft_facts_action(editor_client, [source])

    assert response.status_code == 200
    page = response.content.decode()
    assert "Notes from Monte Carlo" in page
    assert "4 paragraphs" in page
    assert "The Red Shoes (1948)" in page
    assert not Fact.objects.exists()


def test_draft_facts_action_creates_a_cited_draft_per_paragraph_and_skips_cited_ones(editor_client):
    source = SourceFactory()
    CitationFactory(source=source)  # cites paragraph 1 (and makes one fact)
    film = FilmFactory(title="The Red Shoes", year=1948)

    response = run_draft_facts_action(editor_client, [source], film=film.pk, apply="Create draft facts")

    drafts = Fact.objects.filter(film=film, status=Fact.Status.DRAFT).order_by("position")
    assert [f.text for f in drafts] == [p.text for p in source.paragraphs()[1:]]
    for fact in drafts:
        citation = fact.citations.get()
        assert source.content[citation.start : citation.end] == citation.quote == fact.text
    page = response.content.decode()
    assert "Created 3 draft fact(s)" in page
    assert "Skipped paragraph(s) 1" in page
    review_link = html.unescape(re.search(r'href="([^"]+)">Review the drafts', page).group(1))
    assert editor_client.get(review_link).context["cl"].result_count == 3


def test_draft_facts_action_without_a_film_shows_the_question_again(editor_client):
    source = SourceFactory()
    response = run_draft_facts_action(editor_client, [source], apply="Create draft facts")

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Citation.objects.exists()


def test_draft_facts_action_needs_permission_to_add_facts(client):
    viewer = User.objects.create_user("viewer", password="a-long-enough-passphrase", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_source"))
    client.force_login(viewer)
    source = SourceFactory()
    film = FilmFactory()

    response = run_draft_facts_action(client, [source], film=film.pk, apply="Create draft facts")

    assert "needs permission to add facts" in response.content.decode()
    assert not Fact.objects.exists()


def test_draft_facts_from_a_two_megabyte_paragraph_is_not_a_server_error(editor_client):
    """On PostgreSQL the action answered 500: the paragraph's search vector was over the database's limit."""
    from tests.test_search import random_words_document

    source = SourceFactory(content=random_words_document(230_000)[:2_000_000])
    film = FilmFactory()

    response = run_draft_facts_action(editor_client, [source], apply="1", film=film.pk)

    assert response.status_code == 200
    assert "Created 1 draft fact(s)" in response.content.decode()
    assert Fact.objects.get(film=film).citations.get().quote == source.content
