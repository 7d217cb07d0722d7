"""Public pages. Thin: parse the request, call a selector, render.

(Foundation scaffolding: the reading-site work replaces these bodies.)
"""

from django.http import Http404, HttpResponse


def home(request):
    return HttpResponse("redshoes")


def _not_yet(request, **kwargs):
    raise Http404("Not built yet.")


film_detail = person_detail = topic_detail = source_detail = fact_list = fact_detail = _not_yet
