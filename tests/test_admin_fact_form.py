"""The fact form: citation-first, readable keys, a passage from the workbench, look-alikes held, broken banner."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.admin_forms import fact_form_data
from tests.factories import CitationFactory, FactFactory, FilmFactory, SourceFactory, TopicFactory
from trivia.models import Citation, Fact
from trivia.services import drafting, keys

pytestmark = pytest.mark.django_db

CONTENT = (
    "The studio doubted the red shoes from the first day.\n\n"
    "A painter designed the backdrops; the red shoes were made by hand.\n\n"
    "She never danced in “the red shoes” again."
)
ADD = "admin:trivia_fact_add"


@pytest.fixture
def source():
    return SourceFactory(title="Studio notes", content=CONTENT)


def selection(source, start, end, **extra):
    query = {
        "cite_source": source.pk,
        "cite_start": start,
        "cite_end": end,
        "cite_version": drafting.text_version(source),
        **extra,
    }
    return reverse(ADD) + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def new_fact(film=None, topic=None, text="A fact for the test.", citations=(), **fields):
    film, topic = film or FilmFactory(), topic or TopicFactory()
    return fact_form_data(film=film.pk, topic=topic.pk, text=text, new_citations=list(citations), **fields)


# --- Layout and keys ---------------------------------------------------------------------------------


def test_the_form_asks_for_the_text_then_citations_then_the_rest(editor_client):
    html = editor_client.get(reverse(ADD)).content.decode()
    order = [
        html.index(marker)
        for marker in ['id="id_text"', 'id="id_citations-0-source"', 'id="id_film"', 'id="id_status"', 'id="id_key"']
    ]
    assert order == sorted(order)


def test_the_add_form_shows_no_made_up_key(editor_client):
    html = editor_client.get(reverse(ADD)).content.decode()
    key_input = re.search(r'<input[^>]*name="key"[^>]*>', html).group(0)
    assert 'value="' not in key_input
    assert 'name="initial-key"' not in html
    assert "Leave blank to make one from the text" in html


def test_blank_keys_are_made_from_the_text_and_stay_unique(editor_client):
    film, topic = FilmFactory(), TopicFactory()
    for _ in range(2):
        data = new_fact(film, topic, text="The title ballet used 120 paintings by Hein Heckroth.")
        data["confirm_duplicate"] = "1"  # the second nearly repeats the first, on purpose
        assert editor_client.post(reverse(ADD), data).status_code == 302
    assert sorted(Fact.objects.values_list("key", flat=True)) == [
        "120-paintings-hein-heckroth",
        "120-paintings-hein-heckroth-2",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("The title ballet sequence used more than 120 paintings by Hein Heckroth.", "120-paintings-hein-heckroth"),
        ("Straße in München", "strasse-munchen"),
        ("Demo tapes were lost.", "fact-demo-tapes-lost"),
        ("!!!", "fact"),
        ("The film was a film.", "fact"),
    ],
)
def test_key_base_keeps_the_telling_words(text, key):
    assert keys.key_base(text) == key


def test_keys_for_many_texts_are_unique_among_themselves_and_existing_facts():
    FactFactory(key="hein-heckroth")
    made = keys.readable_fact_keys(["Hein Heckroth.", "Hein Heckroth!", "Moira Shearer."])
    assert made == ["hein-heckroth-2", "hein-heckroth-3", "moira-shearer"]


def test_a_random_key_of_an_old_fact_stays_valid(editor_client):
    fact = CitationFactory(fact__key="py5y2ytr7a").fact
    data = fact_form_data(fact, text="Edited, key kept.")
    assert editor_client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), data).status_code == 302
    fact.refresh_from_db()
    assert (fact.key, fact.text) == ("py5y2ytr7a", "Edited, key kept.")


# --- A passage selected in the workbench ---------------------------------------------------------


def test_a_selection_fills_in_the_citation_and_film(editor_client, source):
    film = FilmFactory()
    start = CONTENT.index("A painter")
    response = editor_client.get(selection(source, start, start + 32, film=film.pk))
    citation_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert citation_form["quote"].value() == "A painter designed the backdrops"
    assert citation_form["source"].value() == source.pk
    assert response.context["adminform"].form["film"].value() == str(film.pk)
    html = unescape(response.content.decode())
    assert "Citing paragraph 2 of “Studio notes” (characters" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cite_version": "0000000000000000"}, "changed after the passage was selected"),
        ({"cite_end": "99999"}, "is not inside “Studio notes”"),
        ({"cite_start": "5", "cite_end": "5"}, "is not inside"),
        ({"cite_start": "junk"}, "incomplete or damaged"),
        ({"cite_source": "99999999999999999999999"}, "incomplete or damaged"),
        ({"cite_source": "987654"}, "no longer exists"),
    ],
)
def test_a_bad_selection_is_not_filled_in_and_says_why(editor_client, source, change, message):
    query = {"cite_source": source.pk, "cite_start": 0, "cite_end": 10, "cite_version": drafting.text_version(source)}
    query.update(change)
    response = editor_client.get(reverse(ADD) + "?" + "&".join(f"{k}={v}" for k, v in query.items()))
    assert response.status_code == 200
    assert any(message in str(m) for m in response.context["messages"])
    assert response.context["inline_admin_formsets"][0].formset.forms[0]["quote"].value() in (None, "")


def test_the_saved_citation_is_exactly_the_selection_even_where_the_quote_repeats(editor_client, source):
    """ "the red shoes" occurs three times: the selected one is cited, no paragraph asked for."""
    start = CONTENT.index("the red shoes", CONTENT.index("A painter"))
    data = new_fact(citations=[(source, "the red shoes")])
    data.update({"citations-0-selection_start": start, "citations-0-selection_end": start + 13})
    response = editor_client.post(selection(source, start, start + 13), data)
    assert response.status_code == 302, response.content.decode()
    citation = Citation.objects.get()
    assert (citation.start, citation.end, citation.paragraph) == (start, start + 13, 2)
    assert citation.fact.status == Fact.Status.DRAFT


def test_selection_offsets_that_do_not_hold_the_quote_are_not_trusted(editor_client, source):
    data = new_fact(citations=[(source, "A painter designed")])
    data.update({"citations-0-selection_start": 0, "citations-0-selection_end": 18})  # "The studio doubted"
    assert editor_client.post(reverse(ADD), data).status_code == 302
    citation = Citation.objects.get()
    assert citation.start == CONTENT.index("A painter designed")


def test_saving_a_fact_made_from_the_workbench_goes_back_to_its_paragraph(editor_client, source):
    start = CONTENT.index("A painter")
    data = new_fact(citations=[(source, "A painter designed")])
    response = editor_client.post(selection(source, start, start + 18), data)
    fact = Fact.objects.get()
    workbench = reverse("admin:trivia_source_workbench", args=[source.pk])
    assert response["Location"] == f"{workbench}?paragraph=2&film={fact.film_id}#p2"


# --- A near miss --------------------------------------------------------------------------------------


def test_a_near_miss_offers_the_sources_wording_and_one_click_uses_it(editor_client, source):
    data = new_fact(citations=[(source, 'She never danced in "the red shoes" again.')])
    html = editor_client.post(reverse(ADD), data).content.decode()
    button = re.search(r'<button[^>]*class="button use-source-wording"[^>]*>', html).group(0)
    assert 'name="citations-0-use_source_wording"' in button
    assert 'value="She never danced in “the red shoes” again."' in button

    data["citations-0-use_source_wording"] = "She never danced in “the red shoes” again."
    assert editor_client.post(reverse(ADD), data).status_code == 302
    assert Citation.objects.get().quote == "She never danced in “the red shoes” again."


# --- Look-alikes held once ---------------------------------------------------------------------------


def test_a_fact_citing_a_passage_another_fact_cites_is_held_then_saved_when_confirmed(editor_client, source):
    other = CitationFactory(
        source=source, quote="A painter designed the backdrops", fact__text="Painted backdrops."
    ).fact
    data = new_fact(citations=[(source, "A painter designed the backdrops")], text="Hand-made backdrops.")

    held = editor_client.post(reverse(ADD), data)

    assert held.status_code == 200
    html = unescape(held.content.decode())
    assert "Not saved yet: this fact may repeat another." in html
    assert f'href="{reverse("admin:trivia_fact_change", args=[other.pk])}"' in html
    confirm = re.search(r'<button[^>]*name="([^"]*confirm[^"]*)" value="([^"]*)"', html)
    assert Fact.objects.count() == 1

    data[confirm.group(1)] = confirm.group(2)
    assert editor_client.post(reverse(ADD), data).status_code == 302
    assert Fact.objects.count() == 2


def test_a_fact_nearly_repeating_another_of_its_film_is_held(editor_client, source):
    film = FilmFactory()
    first = FactFactory(film=film, text="The studio doubted the red shoes from the very first day.")
    data = new_fact(
        film, text="The studio doubted the red shoes from the first day!", citations=[(source, "The studio doubted")]
    )
    html = unescape(editor_client.post(reverse(ADD), data).content.decode())
    assert "Its text nearly repeats:" in html and first.text in html
    assert Fact.objects.count() == 1


def test_the_same_words_about_another_film_are_not_held(editor_client, source):
    FactFactory(text="The studio doubted the red shoes from the very first day.")
    data = new_fact(
        text="The studio doubted the red shoes from the very first day.", citations=[(source, "The studio doubted")]
    )
    assert editor_client.post(reverse(ADD), data).status_code == 302


def test_editing_a_fact_without_touching_text_or_citations_is_not_held(editor_client, source):
    first = CitationFactory(source=source, quote="A painter designed").fact
    second = CitationFactory(
        source=source, quote="A painter designed", fact__film=first.film, fact__text=first.text
    ).fact
    data = fact_form_data(second, is_spoiler="on")
    assert editor_client.post(reverse("admin:trivia_fact_change", args=[second.pk]), data).status_code == 302


def test_errors_are_summarised_with_links_to_their_fields(editor_client, source):
    data = new_fact(citations=[(source, "Words the source never had")], text="")
    html = editor_client.post(reverse(ADD), data).content.decode()
    summary = html.split('class="ed-error-summary"')[1].split("</ul>")[0]
    assert 'href="#id_text"' in summary
    assert 'href="#citations-0"' in summary and "Citation 1: This quote does not occur" in summary


def test_the_summary_of_a_held_look_alike_is_plain_text(editor_client, source):
    CitationFactory(source=source, quote="A painter designed the backdrops", fact__text="Painted backdrops.")
    data = new_fact(citations=[(source, "A painter designed the backdrops")], text='A "new" fact.')
    html = editor_client.post(reverse(ADD), data).content.decode()
    summary = html.split('class="ed-error-summary"')[1].split("</ul>")[0]
    assert "Not saved yet: this fact may repeat another. The passage “A painter designed the backdrops”" in summary
    assert "&amp;" not in summary


# --- The broken-citation banner ----------------------------------------------------------------------


def test_a_broken_citation_is_a_banner_before_any_field(editor_client, source):
    citation = CitationFactory(source=source, quote="A painter designed the backdrops")
    Citation.objects.filter(pk=citation.pk).update(
        is_broken=True, broken_reason="The quote no longer occurs in the source."
    )
    html = unescape(editor_client.get(reverse("admin:trivia_fact_change", args=[citation.fact.pk])).content.decode())

    banner = html.index('class="ed-banner ed-attention-box"')
    assert banner < html.index('name="text"')
    section = html[banner : html.index("</section>", banner)]
    assert "This fact needs attention: 1 broken citation" in section
    assert "The quote no longer occurs in the source." in section
    assert '<blockquote class="ed-old-quote">A painter designed the backdrops</blockquote>' in section
    workbench = reverse("admin:trivia_source_workbench", args=[source.pk])
    assert f'href="{workbench}?paragraph=2#p2"' in section


def test_a_fact_with_sound_citations_has_no_banner(editor_client, source):
    fact = CitationFactory(source=source, quote="A painter designed").fact
    html = editor_client.get(reverse("admin:trivia_fact_change", args=[fact.pk])).content.decode()
    assert "ed-banner" not in html


def test_a_key_another_editor_takes_while_saving_is_made_again_not_an_error(editor_client, monkeypatch):
    """Two editors saving facts with the same text at once: the loser of the race gets the next free key."""
    from django.forms.models import BaseModelForm

    FactFactory(key="hein-heckroth-120-paintings", text="The other editor's fact.")
    made = []
    original_key, original_validate = keys.readable_fact_key, BaseModelForm.validate_unique

    def key_chosen_before_the_other_save_committed(text):
        # The first time, as if the other editor's fact was not committed yet when the key was chosen.
        made.append("hein-heckroth-120-paintings" if not made else original_key(text))
        return made[-1]

    def checked_only_the_second_time(form):
        if len(made) > 1:
            original_validate(form)

    monkeypatch.setattr(keys, "readable_fact_key", key_chosen_before_the_other_save_committed)
    monkeypatch.setattr(BaseModelForm, "validate_unique", checked_only_the_second_time)
    response = editor_client.post(reverse(ADD), new_fact(text="Hein Heckroth made 120 paintings."))

    assert response.status_code == 302
    assert made == ["hein-heckroth-120-paintings", "hein-heckroth-120-paintings-2"]
    assert Fact.objects.filter(key="hein-heckroth-120-paintings-2", text="Hein Heckroth made 120 paintings.").exists()
