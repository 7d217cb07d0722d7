"""Public pages. Thin: parse the request, call a selector, render."""

from django.http import Http404, HttpResponse


def home(request):
    return HttpResponse("redshoes")


# PLACEHOLDER film_detail (reading-site work replaces this)
def film_detail(request, slug):
    raise Http404("Not built yet.")


# PLACEHOLDER fact_detail (reading-site work replaces this)
def fact_detail(request, key):
    raise Http404("Not built yet.")


# PLACEHOLDER source_detail (source-page work replaces this)
def source_detail(request, slug):
    raise Http404("Not built yet.")


# PLACEHOLDER person_detail (source-page work replaces this)
def person_detail(request, slug):
    raise Http404("Not built yet.")


# PLACEHOLDER topic_detail (source-page work replaces this)
def topic_detail(request, slug):
    raise Http404("Not built yet.")


# PLACEHOLDER fact_list (search work replaces this)
def fact_list(request):
    raise Http404("Not built yet.")
