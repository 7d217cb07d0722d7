"""The source workbench screen: select a passage, get an add-fact form citing exactly it.

`/admin/trivia/source/<id>/workbench/` shows the source's text by numbered paragraph
(trivia/workbench.py reads it), with cited passages marked and their facts linked,
uncited paragraphs flagged and broken citations listed. Selecting text (static/js/
admin-workbench.js) or, without JavaScript, a paragraph's own link opens the add-fact
form with the source, quote, offsets and film filled in; the fact form checks them again.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from .. import workbench
from ..models import Fact, Film, Source
from ..pagination import requested_number
from ..services import drafting
from .selection import parse_number


def workbench_url(source_id, *, paragraph=None, film_id=None) -> str:
    """The workbench of a source, at a paragraph when given (with its page chosen for it)."""
    url = reverse("admin:trivia_source_workbench", args=[source_id])
    query = {key: value for key, value in (("paragraph", paragraph), ("film", film_id)) if value}
    url += f"?{urlencode(query)}" if query else ""
    return url + (f"#p{paragraph}" if paragraph else "")


def chosen_film(request, source) -> Film | None:
    """The film of `?film=`, or else the film most facts citing this source are about."""
    raw = request.GET.get("film")
    if raw not in (None, ""):
        film_id = parse_number(raw)
        return Film.objects.filter(pk=film_id).first() if film_id is not None else None
    usual = (
        Fact.objects.filter(citations__source=source)
        .values("film_id")
        .annotate(total=Count("pk", distinct=True))
        .order_by("-total", "film_id")
        .first()
    )
    return Film.objects.filter(pk=usual["film_id"]).first() if usual else None


def _source_or_404(object_id: str) -> Source:
    source_id = parse_number(object_id)
    source = Source.objects.filter(pk=source_id).first() if source_id is not None else None
    if source is None:
        raise Http404("No such source.")
    return source


def workbench_view(request, object_id, model_admin):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    source = _source_or_404(object_id)
    film = chosen_film(request, source)
    only_uncited = request.GET.get("uncited") == "1"
    page = workbench.workbench_page(
        source, page=request.GET.get("page"), paragraph=request.GET.get("paragraph"), only_uncited=only_uncited
    )
    user = request.user
    can_add = user.has_perm("trivia.add_fact") and user.has_perm("trivia.add_citation")
    selection_query = urlencode(
        {"film": film.pk if film else "", "cite_source": source.pk, "cite_version": page.version}
    )
    keep = {
        key: value
        for key, value in (("film", film.pk if film else None), ("uncited", "1" if only_uncited else None))
        if value
    }
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Workbench: {source.title}",
        "opts": model_admin.model._meta,
        "source": source,
        "page": page,
        "film": film,
        "films": Film.objects.only("title", "year").order_by("title", "year"),
        "can_add": can_add,
        "can_delete_drafts": user.has_perm("trivia.delete_fact"),
        "add_url": reverse("admin:trivia_fact_add"),
        "selection_query": selection_query,
        "page_links": _page_links(page.window, keep),
        "keep_query": urlencode(keep),
        "toggle_uncited_query": urlencode({**keep, "uncited": "0" if only_uncited else "1"}),
        "target": parse_number(request.GET.get("paragraph")),
    }
    return TemplateResponse(request, "admin/trivia/source/workbench.html", context)


def _page_links(shown, keep: dict) -> dict:
    def link(number):
        return "?" + urlencode({**keep, "page": number})

    return {
        "previous": link(shown.number - 1) if shown.number > 1 else None,
        "next": link(shown.number + 1) if shown.number < shown.count else None,
    }


@require_POST
def delete_draft_view(request, object_id, fact_id, model_admin):
    """Delete an imported paragraph draft whose sentences other facts now cite, then go back to its paragraph."""
    if not (model_admin.has_view_permission(request) and request.user.has_perm("trivia.delete_fact")):
        raise PermissionDenied
    source = _source_or_404(object_id)
    paragraph = requested_number(request.POST.get("paragraph"))
    film_id = parse_number(request.POST.get("film"))
    try:
        if parse_number(fact_id) is None:
            raise drafting.DraftingError("That draft no longer exists.")
        fact = drafting.delete_split_paragraph_draft(fact_id, user=request.user)
    except drafting.DraftingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Deleted the paragraph draft “{fact}”: its sentences are cited by other facts now. "
            "“Recover deleted facts” on the fact list brings it back if needed.",
        )
    return HttpResponseRedirect(workbench_url(source.pk, paragraph=paragraph, film_id=film_id))


def workbench_urls(model_admin) -> list:
    """URL patterns for `SourceAdmin.get_urls`; `admin_view` sends anyone but logged-in staff to log in."""
    site = model_admin.admin_site
    return [
        path(
            "<path:object_id>/workbench/",
            site.admin_view(lambda request, object_id: workbench_view(request, object_id, model_admin)),
            name="trivia_source_workbench",
        ),
        path(
            "<path:object_id>/workbench/drafts/<int:fact_id>/delete/",
            site.admin_view(
                lambda request, object_id, fact_id: delete_draft_view(request, object_id, fact_id, model_admin)
            ),
            name="trivia_source_workbench_delete_draft",
        ),
    ]
