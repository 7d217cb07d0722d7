"""The source workbench: the text by paragraph, what is cited and by whom, and a new fact from a passage."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, FilmFactory, SourceFactory, TopicFactory
from trivia import workbench
from trivia.models import Citation, Fact
from trivia.services import drafting, editing, importing, keys

pytestmark = pytest.mark.django_db

CONTENT = (
    "The studio doubted the picture from the first day. It was cut twice.\n\n"
    "A painter designed every backdrop by hand.\n\n"
    "The lead actor learned to dance in six months. She never used a double."
)


@pytest.fixture
def source():
    return SourceFactory(title="Studio notes", content=CONTENT)


def url(source, **query):
    base = reverse("admin:trivia_source_workbench", args=[source.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_anonymous_visitors_are_sent_to_log_in(client, source):
    response = client.get(url(source))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permission_to_see_sources_are_refused(client, source, django_user_model):
    client.force_login(django_user_model.objects.create_user("guest", password="x", is_staff=True))
    assert client.get(url(source)).status_code == 403


@pytest.mark.parametrize("object_id", ["999999", "abc", "9" * 40, "١"])
def test_an_unknown_or_junk_source_id_is_a_404(editor_client, object_id):
    response = editor_client.get(f"/admin/trivia/source/{object_id}/workbench/")
    assert response.status_code == 404


def test_the_source_list_and_page_link_to_the_workbench(editor_client, source):
    listing = editor_client.get(reverse("admin:trivia_source_changelist")).content.decode()
    page = editor_client.get(reverse("admin:trivia_source_change", args=[source.pk])).content.decode()
    assert f'href="{url(source)}"' in listing
    assert f'href="{url(source)}"' in page


def test_cited_passages_are_marked_with_their_facts_and_uncited_paragraphs_flagged(editor_client, source):
    fact = CitationFactory(
        source=source, quote="A painter designed every backdrop", fact__text="Backdrops by hand."
    ).fact
    html = editor_client.get(url(source)).content.decode()

    change_url = reverse("admin:trivia_fact_change", args=[fact.pk])
    start = CONTENT.index("A painter")
    assert f'<mark id="c{start}-{start + 33}" class="citation">A painter designed every backdrop</mark>' in html
    assert f'href="{change_url}" title="Backdrops by hand.">Backdrops by hand.</a>' in html
    paragraphs = re.findall(r'<article class="wb-paragraph([^"]*)" id="p(\d)"', html)
    assert paragraphs == [(" is-uncited", "1"), ("", "2"), (" is-uncited", "3")]
    assert html.count(">Uncited</span>") == 2
    assert "2 uncited" in html


def test_broken_citations_are_listed_with_their_old_quote_and_paragraph(editor_client, source):
    citation = CitationFactory(source=source, quote="The lead actor learned to dance")
    Citation.objects.filter(pk=citation.pk).update(is_broken=True, broken_reason="The quote no longer occurs.")
    html = unescape(editor_client.get(url(source)).content.decode())

    assert "Broken citations" in html
    assert "The quote no longer occurs." in html
    assert '<blockquote class="ed-old-quote">The lead actor learned to dance</blockquote>' in html
    assert 'paragraph=3#p3">paragraph 3</a>' in html
    assert "<mark" not in html.split('id="wb-text-heading"')[1].split("</section>")[0]  # never highlighted


def test_each_paragraph_links_to_a_new_fact_citing_all_of_it_without_javascript(editor_client, source):
    film = FilmFactory()
    html = unescape(editor_client.get(url(source, film=film.pk)).content.decode())
    second = CONTENT.index("A painter")
    link = re.search(rf'href="([^"]*cite_start={second}[^"]*)"', html).group(1)

    form = editor_client.get(link)

    assert form.status_code == 200
    citation_form = form.context["inline_admin_formsets"][0].formset.forms[0]
    assert citation_form["quote"].value() == "A painter designed every backdrop by hand."
    assert citation_form["source"].value() == source.pk
    assert (citation_form["selection_start"].value(), citation_form["selection_end"].value()) == (second, second + 42)
    assert form.context["adminform"].form["film"].value() == str(film.pk)


def test_the_film_defaults_to_the_one_the_source_is_cited_for(editor_client, source):
    film = FilmFactory(title="Usual film")
    CitationFactory(source=source, quote="It was cut twice.", fact__film=film)
    response = editor_client.get(url(source))
    assert response.context["film"] == film
    assert editor_client.get(url(source, film="junk")).context["film"] is None


@pytest.mark.parametrize("query", ["page=junk", "page=-3", "page=99999999999999999999", "paragraph=x", "uncited=2"])
def test_junk_paging_parameters_still_give_a_page(editor_client, source, query):
    assert editor_client.get(url(source) + "?" + query).status_code == 200


def test_a_long_source_is_paged_and_a_paragraph_link_opens_its_page(editor_client):
    content = "\n\n".join(f"Paragraph number {n} says something. " * 40 for n in range(1, 301))
    source = SourceFactory(content=content)
    first = editor_client.get(url(source))
    size = workbench.per_page(content, 300)
    assert first.context["page"].window.count == -(-300 // size) > 1
    assert [p.number for p in first.context["page"].paragraphs] == list(range(1, size + 1))

    later = editor_client.get(url(source, paragraph=250))
    shown = [p.number for p in later.context["page"].paragraphs]
    assert 250 in shown and later.context["page"].window.number == (249 // size) + 1
    assert 'class="wb-paragraph is-uncited is-target" id="p250"' in later.content.decode()


def test_showing_only_uncited_paragraphs(editor_client, source):
    CitationFactory(source=source, quote="A painter designed every backdrop")
    page = editor_client.get(url(source, uncited=1)).context["page"]
    assert [p.number for p in page.paragraphs] == [1, 3]


def test_the_workbench_costs_the_same_queries_with_10_or_1000_citations(editor_client, source):
    """Regression guard: a query per citation, fact or paragraph (N+1)."""

    def cite(count):
        film, topic = FilmFactory(), TopicFactory()
        facts = Fact.objects.bulk_create(
            [Fact(film=film, topic=topic, text=f"F{n}", key=f"f-{n}-{count}") for n in range(count)]
        )
        quote = "A painter designed every backdrop by hand."
        start = CONTENT.index(quote)
        Citation.objects.bulk_create(
            [
                Citation(fact=f, source=source, quote=quote, start=start, end=start + len(quote), paragraph=2)
                for f in facts
            ]
        )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(url(source)).status_code == 200
        return len(captured)

    cite(10)
    few = queries()
    cite(990)
    broken = CitationFactory(source=source, quote="It was cut twice.")
    Citation.objects.filter(pk=broken.pk).update(is_broken=True)
    assert queries() == few


# --- Imported paragraph drafts -----------------------------------------------------------------------


@pytest.fixture
def imported():
    report = importing.import_source_document(CONTENT, title="Imported notes", film_title="Imported", year=1950)
    return report


def cite_sentence(fact_source, quote, film):
    fact = FactFactory(film=film, text=f"About: {quote}", status=Fact.Status.DRAFT)
    CitationFactory(fact=fact, source=fact_source, quote=quote)
    return fact


def test_a_paragraph_draft_shows_how_far_it_is_split_and_offers_deletion_once_covered(editor_client, imported):
    source, film = imported.source, imported.drafts.film
    draft = next(fact for number, fact in imported.drafts.facts if number == 1)
    cite_sentence(source, "The studio doubted the picture", film)

    page = editor_client.get(url(source)).content.decode()
    assert "Other facts cite 1 of its 2 sentences." in page
    assert "Delete the paragraph draft" not in page.split('id="p2"')[0]

    cite_sentence(source, "cut twice", film)
    page = editor_client.get(url(source)).content.decode()
    assert "Other facts cite 2 of its 2 sentences." in page
    delete_url = reverse("admin:trivia_source_workbench_delete_draft", args=[source.pk, draft.pk])
    assert f'action="{delete_url}"' in page

    response = editor_client.post(delete_url, {"paragraph": "1", "film": str(film.pk)}, follow=True)
    assert not Fact.objects.filter(pk=draft.pk).exists()
    assert response.redirect_chain[-1][0] == url(source, paragraph=1, film=film.pk) + "#p1"
    assert any("Deleted the paragraph draft" in str(m) for m in response.context["messages"])


def test_a_paragraph_draft_not_yet_covered_is_not_deleted(editor_client, imported):
    source = imported.source
    draft = next(fact for number, fact in imported.drafts.facts if number == 1)
    delete_url = reverse("admin:trivia_source_workbench_delete_draft", args=[source.pk, draft.pk])

    response = editor_client.post(delete_url, {"paragraph": "1"}, follow=True)

    assert Fact.objects.filter(pk=draft.pk).exists()
    assert any("Other facts cite 0 of the 2 sentences of paragraph 1" in str(m) for m in response.context["messages"])


def test_deleting_drafts_needs_post_and_permission(client, editor_client, imported, django_user_model):
    source = imported.source
    draft = imported.drafts.facts[0][1]
    delete_url = reverse("admin:trivia_source_workbench_delete_draft", args=[source.pk, draft.pk])
    assert editor_client.get(delete_url).status_code == 405
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_source"))
    client.force_login(viewer)
    assert client.post(delete_url).status_code == 403
    assert Fact.objects.filter(pk=draft.pk).exists()


def test_a_published_or_edited_draft_is_no_longer_a_paragraph_draft():
    report = importing.import_source_document(CONTENT, title="Imported notes", film_title="Imported", year=1950)
    draft = report.drafts.facts[0][1]
    editing.update_facts([draft], comment="Published", status=Fact.Status.PUBLISHED)  # as the admin's action does
    with pytest.raises(drafting.DraftingError, match="no longer an imported paragraph draft"):
        drafting.delete_split_paragraph_draft(draft.pk)


def test_imported_paragraph_drafts_get_readable_keys(imported):
    assert [fact.key for _, fact in imported.drafts.facts] == [
        keys.key_base(paragraph) for paragraph in CONTENT.split("\n\n")
    ]
