"""Build the POST data the admin's fact and source forms send, as a browser would."""

from trivia.models import Fact, Source


def fact_form_data(fact: Fact | None = None, *, new_citations=(), citation_changes=None, **fields) -> dict:
    """The fact change (or add) form as submitted, with its citations inline.

    `new_citations`: (source, quote[, paragraph]) tuples for empty extra forms.
    `citation_changes`: {citation_pk: {"quote": ..., "occurrence_paragraph": ..., "DELETE": "on"}}.
    """
    citation_changes = citation_changes or {}
    data = {}
    if fact is not None:
        data.update(
            {
                "film": fact.film_id,
                "topic": fact.topic_id,
                "text": fact.text,
                "people": [p.pk for p in fact.people.all()],
                "status": fact.status,
                "position": fact.position,
                "seen_lock_version": fact.lock_version,
            }
        )
        if fact.is_spoiler:
            data["is_spoiler"] = "on"
        existing = list(fact.citations.order_by("pk"))
    else:
        data.update({"status": Fact.Status.DRAFT, "position": 0})
        existing = []
    data.update(fields)
    if data.get("is_spoiler") is False:
        del data["is_spoiler"]
    forms = []
    for citation in existing:
        form = {"id": citation.pk, "fact": fact.pk, "source": citation.source_id, "quote": citation.quote}
        form.update(citation_changes.get(citation.pk, {}))
        forms.append(form)
    for new in new_citations:
        source, quote, *paragraph = new
        form = {"source": source.pk, "quote": quote}
        if paragraph:
            form["occurrence_paragraph"] = paragraph[0]
        forms.append(form)
    data.update(
        {
            "citations-TOTAL_FORMS": len(forms),
            "citations-INITIAL_FORMS": len(existing),
            "citations-MIN_NUM_FORMS": 0,
            "citations-MAX_NUM_FORMS": 1000,
        }
    )
    for index, form in enumerate(forms):
        for name, value in form.items():
            data[f"citations-{index}-{name}"] = value
    return data


def source_form_data(source: Source, **fields) -> dict:
    data = {
        "title": source.title,
        "slug": source.slug,
        "kind": source.kind,
        "url": source.url,
        "author": source.author,
        "publisher": source.publisher,
        "accessed": source.accessed.isoformat() if source.accessed else "",
        "content": source.content,
        "seen_lock_version": source.lock_version,
    }
    data.update(fields)
    return data


def form_data_from_page(response) -> dict:
    """What the admin change page in `response` would submit if saved untouched (form and inlines)."""
    data = {}

    def add_form(form):
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [getattr(v, "pk", v) for v in value]
                continue
            data[bound.html_name] = getattr(value, "pk", value)

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    return data
