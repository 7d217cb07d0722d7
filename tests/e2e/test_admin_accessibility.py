"""axe-core finds no violations on the editorial screens, in light and dark, with what editors meet on them.

The workbench (marks, uncited and broken paragraphs, a paragraph draft, the selection panel open),
the fact form filled from a selection, held as a look-alike and with a near miss, a fact with a
broken-citation banner, a source edit held for confirmation, the home page's queue, the fact list
and a history page with a diff.
"""

import pytest
from django.urls import reverse

from tests.admin_forms import fact_form_data
from tests.e2e.conftest import log_in_through_the_form
from tests.e2e.test_accessibility import assert_no_axe_violations
from tests.e2e.test_workbench_journey import drag_select
from trivia.models import Fact, Source, Topic
from trivia.services import drafting

pytestmark = pytest.mark.django_db(transaction=True)

SEED_SOURCE = "the-red-shoes-1948-trivia"


def open_as_editor(page, live_server, editor, path, scheme):
    page.emulate_media(color_scheme=scheme)
    log_in_through_the_form(page, live_server, editor.username)
    return page.goto(live_server.url + path)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_workbench_and_its_selection_panel(live_server, page, problems, editor, editorial_state, scheme):
    source = Source.objects.get(slug=SEED_SOURCE)
    open_as_editor(page, live_server, editor, reverse("admin:trivia_source_workbench", args=[source.pk]), scheme)
    assert_no_axe_violations(page)
    drag_select(page, "#p1 .wb-passage", "Rank wasn", "American market")
    page.locator("#wb-selection").wait_for(state="visible")
    assert_no_axe_violations(page)
    problems.assert_none()


def test_workbench_with_a_paragraph_draft(live_server, page, problems, editor, editorial_state):
    source = editorial_state["imported"]
    open_as_editor(page, live_server, editor, reverse("admin:trivia_source_workbench", args=[source.pk]), "light")
    assert page.locator(".wb-draft").count() == 2
    assert_no_axe_violations(page)
    problems.assert_none()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_home_page_with_the_queue_and_the_fact_list(live_server, page, problems, editor, editorial_state, scheme):
    open_as_editor(page, live_server, editor, reverse("admin:index"), scheme)
    assert page.locator(".editorial-queue").count() == 1
    assert_no_axe_violations(page)
    page.goto(live_server.url + reverse("admin:trivia_fact_changelist"))
    assert page.locator(".ed-badge-attention").count() == 1
    assert_no_axe_violations(page)
    problems.assert_none()


def test_fact_form_from_a_selection_and_with_a_broken_citation_banner(
    live_server, page, problems, editor, editorial_state
):
    source = Source.objects.get(slug=SEED_SOURCE)
    query = f"?cite_source={source.pk}&cite_start=0&cite_end=36&cite_version={drafting.text_version(source)}"
    open_as_editor(page, live_server, editor, reverse("admin:trivia_fact_add") + query, "light")
    assert page.locator(".ed-from-selection").count() == 1
    assert_no_axe_violations(page)
    page.goto(live_server.url + reverse("admin:trivia_fact_change", args=[editorial_state["broken"].fact_id]))
    assert page.locator(".ed-banner").count() == 1
    assert_no_axe_violations(page)
    problems.assert_none()


def test_fact_form_held_as_a_look_alike_with_a_near_miss(live_server, page, problems, editor, editorial_state):
    source = Source.objects.get(slug=SEED_SOURCE)
    topic = Topic.objects.get(slug="production")
    film = Fact.objects.get(key="over-budget").film
    open_as_editor(page, live_server, editor, reverse("admin:trivia_fact_add"), "light")
    data = fact_form_data(
        film=film.pk,
        topic=topic.pk,
        text="The film went massively over budget.",
        new_citations=[(source, "The film went massively over budget"), (source, "THE DANCING NEWSPAPER")],
    )
    # Post the form as the browser would, then scan the page it answers with.
    page.evaluate(
        """([url, data, token]) => {
            const form = document.createElement("form");
            form.method = "post"; form.action = url;
            for (const [name, value] of Object.entries({...data, csrfmiddlewaretoken: token})) {
                for (const one of [].concat(value)) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = one; form.append(input);
                }
            }
            document.body.append(form); form.submit();
        }""",
        [reverse("admin:trivia_fact_add"), data, page.locator("[name=csrfmiddlewaretoken]").first.input_value()],
    )
    page.locator(".errornote").wait_for()
    assert page.locator("button.use-source-wording").count() == 1
    assert page.locator(".ed-error-summary").count() == 1
    assert_no_axe_violations(page)
    problems.assert_none()


def test_source_edit_held_for_confirmation(live_server, page, problems, editor, editorial_state):
    source = Source.objects.get(slug=SEED_SOURCE)
    open_as_editor(page, live_server, editor, reverse("admin:trivia_source_change", args=[source.pk]), "light")
    content = page.locator("#id_content")
    content.fill(content.input_value().replace("Slowly, however, audiences", "Audiences"))
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".ed-hold").wait_for()
    assert_no_axe_violations(page)
    problems.assert_none()


def test_history_with_a_word_diff(live_server, page, problems, editor, editorial_state):
    fact = Fact.objects.get(key="over-budget")
    open_as_editor(page, live_server, editor, reverse("admin:trivia_fact_change", args=[fact.pk]), "light")
    page.get_by_label("Text:").fill("The film went massively over its budget.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(live_server.url + reverse("admin:trivia_fact_history", args=[fact.pk]))
    assert page.locator("#change-history ins").count() >= 1
    assert_no_axe_violations(page)
    problems.assert_none()
