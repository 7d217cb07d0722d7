"""The editorial admin's lists, filters, actions and pages, as an editor uses them."""

import pytest
from django.db import connection
from django.forms.models import BaseModelForm
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import CitationFactory, FactFactory, FilmFactory, SourceFactory, TopicFactory
from trivia.models import Citation, Fact, Person, Source
from trivia.services.roles import create_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(create_editor("edna", "a-long-enough-passphrase"))
    return client


def make_facts(count, film, topic, source):
    """Many facts with a citation each, inserted in bulk (offsets valid: the source's first paragraph)."""
    now = timezone.now()
    facts = Fact.objects.bulk_create(
        [
            Fact(film=film, topic=topic, text=f"Bulk fact {n}.", status=Fact.Status.PUBLISHED, published_at=now)
            for n in range(count)
        ]
    )
    quote = source.content.split("\n\n")[0]
    Citation.objects.bulk_create(
        [Citation(fact=fact, source=source, quote=quote, start=0, end=len(quote)) for fact in facts]
    )


def queries_to_render(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("model", ["fact", "citation", "source", "film", "topic", "person", "credit"])
def test_changelist_query_count_does_not_grow_with_rows(editor_client, model):
    """Regression: a per-row query for a film, topic, source or count column (N+1)."""
    film, topic, source = FilmFactory(), TopicFactory(), SourceFactory()
    make_facts(10, film, topic, source)
    url = reverse(f"admin:trivia_{model}_changelist")
    few = queries_to_render(editor_client, url)
    make_facts(990, FilmFactory(), TopicFactory(), SourceFactory())
    assert queries_to_render(editor_client, url) == few


def test_fact_list_shows_film_topic_status_and_a_broken_citation_flag(editor_client):
    citation = CitationFactory(fact__text="The studio doubted the picture.")
    Citation.objects.filter(pk=citation.pk).update(is_broken=True)
    html = editor_client.get(reverse("admin:trivia_fact_changelist")).content.decode()
    assert "The studio doubted the picture." in html
    assert str(citation.fact.film) in html and str(citation.fact.topic) in html
    assert "needs attention" in html  # the citations column


@pytest.mark.parametrize(("value", "expected"), [("yes", ["broken"]), ("no", ["sound"])])
def test_broken_citation_filter(editor_client, value, expected):
    broken = CitationFactory(fact__text="broken").fact
    Citation.objects.filter(fact=broken).update(is_broken=True)
    CitationFactory(fact__text="sound")
    response = editor_client.get(reverse("admin:trivia_fact_changelist") + f"?broken={value}")
    assert [fact.text for fact in response.context["cl"].result_list] == expected


def test_facts_filter_by_source_status_and_spoiler(editor_client):
    wanted = CitationFactory(fact__text="from the memoir", fact__is_spoiler=True).fact
    CitationFactory(fact__text="from elsewhere")
    source_id = wanted.citations.get().source_id
    url = reverse("admin:trivia_fact_changelist")
    by_source = editor_client.get(f"{url}?citations__source__id__exact={source_id}")
    assert list(by_source.context["cl"].result_list) == [wanted]
    by_spoiler = editor_client.get(f"{url}?is_spoiler__exact=1&status__exact=published")
    assert list(by_spoiler.context["cl"].result_list) == [wanted]


def test_fact_search_finds_text(editor_client):
    CitationFactory(fact__text="The studio doubted the picture.")
    CitationFactory(fact__text="A painter made the backdrops.")
    response = editor_client.get(reverse("admin:trivia_fact_changelist") + "?q=painter")
    assert [fact.text for fact in response.context["cl"].result_list] == ["A painter made the backdrops."]


@pytest.mark.parametrize(
    ("action", "start", "field", "expected"),
    [
        ("publish", {"status": Fact.Status.DRAFT}, "status", Fact.Status.PUBLISHED),
        ("unpublish", {"status": Fact.Status.PUBLISHED}, "status", Fact.Status.DRAFT),
        ("mark_spoiler", {"is_spoiler": False}, "is_spoiler", True),
        ("unmark_spoiler", {"is_spoiler": True}, "is_spoiler", False),
    ],
)
def test_fact_actions_change_the_selected_facts_only(editor_client, action, start, field, expected):
    chosen = [CitationFactory(**{f"fact__{k}": v for k, v in start.items()}).fact for _ in range(2)]
    other = CitationFactory(**{f"fact__{k}": v for k, v in start.items()}).fact
    response = editor_client.post(
        reverse("admin:trivia_fact_changelist"),
        {"action": action, "_selected_action": [f.pk for f in chosen]},
        follow=True,
    )
    assert any(": 2 fact(s)." in str(m) for m in response.context["messages"])
    for fact in chosen:
        fact.refresh_from_db()
        assert getattr(fact, field) == expected
        assert fact.lock_version == 2  # an edit form opened before the action is now stale
    other.refresh_from_db()
    assert getattr(other, field) != expected


def test_publishing_skips_a_fact_that_cites_nothing_and_says_so(editor_client):
    uncited = FactFactory(text="A claim without a source.", status=Fact.Status.DRAFT)
    response = editor_client.post(
        reverse("admin:trivia_fact_changelist"), {"action": "publish", "_selected_action": [uncited.pk]}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "Not published: “A claim without a source.” — it cites no source." in messages
    uncited.refresh_from_db()
    assert uncited.status == Fact.Status.DRAFT


def test_fact_change_page_has_a_fixed_key_a_view_on_site_link_and_the_citation_inline(editor_client):
    fact = CitationFactory().fact
    response = editor_client.get(reverse("admin:trivia_fact_change", args=[fact.pk]))
    html = response.content.decode()
    assert 'name="key"' not in html and fact.key in html
    assert "View on site" in html
    assert 'name="citations-0-quote"' in html
    assert 'name="citations-0-occurrence_paragraph"' in html
    assert 'name="citations-0-start"' not in html  # offsets are computed, never typed
    assert f'name="seen_lock_version" value="{fact.lock_version}"' in html


def test_a_new_fact_gets_a_readable_key_from_its_text_when_left_blank(editor_client):
    film, topic = FilmFactory(), TopicFactory()
    data = {
        "key": "",
        "film": film.pk,
        "topic": topic.pk,
        "text": "Hein Heckroth made 120 paintings.",
        "status": "draft",
        "position": 0,
        "citations-TOTAL_FORMS": 0,
        "citations-INITIAL_FORMS": 0,
    }
    assert editor_client.post(reverse("admin:trivia_fact_add"), data).status_code == 302
    assert Fact.objects.get().key == "hein-heckroth-120-paintings"


def test_source_autocomplete_finds_sources_by_title(editor_client):
    SourceFactory(title="Powell's memoir")
    SourceFactory(title="Studio ledger")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "trivia", "model_name": "citation", "field_name": "source", "term": "memoir"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Powell's memoir"]


def test_source_page_shows_sha256_read_only_and_how_text_edits_behave(editor_client):
    source = SourceFactory()
    html = editor_client.get(reverse("admin:trivia_source_change", args=[source.pk])).content.decode()
    assert source.sha256 in html and 'name="sha256"' not in html
    assert "never moved to a look-alike" in html
    assert Source.objects.get(pk=source.pk).sha256 == source.sha256


def test_the_fact_list_links_to_recovering_deleted_facts_and_to_exports(editor_client):
    """Regression: a custom change-list template that skipped reversion's dropped the "Recover deleted" link."""
    html = editor_client.get(reverse("admin:trivia_fact_changelist")).content.decode()
    assert f'href="{reverse("admin:trivia_fact_recoverlist")}"' in html
    assert "Recover deleted facts" in html
    assert "Export all (fixture)" in html


def test_giving_a_source_the_exact_text_of_another_is_a_form_error(editor_client):
    from tests.admin_forms import source_form_data

    original = SourceFactory(title="Original notes")
    copy = SourceFactory(title="Copy")
    response = editor_client.post(
        reverse("admin:trivia_source_change", args=[copy.pk]), source_form_data(copy, content=original.content)
    )
    assert response.status_code == 200
    assert "The source “Original notes” already has exactly this text" in response.content.decode()
    copy.refresh_from_db()
    assert copy.content != original.content


def test_publishing_many_facts_costs_the_same_queries_as_publishing_a_few(editor_client):
    """Regression: recording each fact's citations in history fetched each citation's source (N+1)."""

    def publish(count):
        facts = [CitationFactory(fact__status=Fact.Status.DRAFT).fact for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            editor_client.post(
                reverse("admin:trivia_fact_changelist"),
                {"action": "publish", "_selected_action": [f.pk for f in facts]},
            )
        assert Fact.objects.filter(pk__in=[f.pk for f in facts], status=Fact.Status.PUBLISHED).count() == count
        return len(captured)

    assert publish(3) == publish(12)


def test_a_person_added_with_a_slug_another_editor_just_took_is_a_form_error_not_a_500(editor_client, monkeypatch):
    """Two editors adding the same person at once: the second save's INSERT hit the unique slug."""
    Person.objects.create(name="Moira Shearer", slug="moira-shearer")  # the other editor's save...
    original = BaseModelForm.validate_unique
    calls = []

    def check_before_the_other_save_commits(form):
        calls.append(form)
        if len(calls) > 1:  # ...was not yet committed when this form was first checked
            original(form)

    monkeypatch.setattr(BaseModelForm, "validate_unique", check_before_the_other_save_commits)
    response = editor_client.post(
        reverse("admin:trivia_person_add"),
        {"name": "Moira Shearer", "slug": "moira-shearer", "kind": "person", "description": ""},
    )

    assert response.status_code == 200
    assert "Person with this Slug already exists." in response.text
    assert Person.objects.filter(slug="moira-shearer").count() == 1
    assert len(calls) == 2  # checked again, and this time the check saw the other save


def test_the_fact_list_shows_the_claim_with_its_full_text_on_hover_and_a_badge_for_attention(editor_client):
    long_text = "The title ballet sequence took six weeks to shoot and employed over 120 paintings. " * 3
    CitationFactory(fact__text=long_text)
    broken = CitationFactory(fact__text="A claim whose passage changed.").fact
    Citation.objects.filter(fact=broken).update(is_broken=True)
    html = editor_client.get(reverse("admin:trivia_fact_changelist")).content.decode()

    assert f'<span title="{long_text.strip()}">' in html  # the full text on hover; the cell is cut short
    assert "…</span>" in html
    assert html.count('<span class="ed-badge ed-badge-attention">needs attention</span>') == 1
    assert '<span class="quiet">1 ok</span>' in html


def test_the_spoiler_column_is_neutral_words_not_a_red_cross(editor_client):
    CitationFactory(fact__is_spoiler=True)
    CitationFactory(fact__is_spoiler=False)
    html = editor_client.get(reverse("admin:trivia_fact_changelist")).content.decode()
    assert html.count('<td class="field-spoiler_label">') == 2
    assert '<span class="ed-badge ed-badge-spoiler">Spoiler</span>' in html
    assert '<span class="quiet" aria-label="not a spoiler">–</span>' in html
    assert "icon-no.svg" not in html and "icon-yes.svg" not in html
