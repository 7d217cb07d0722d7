"""Top-level URLs: the admin and the public trivia site."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from trivia.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    # For load balancers: 200 when the database answers, 503 when it does not.
    path("healthz", healthz, name="healthz"),
    # The open-data API (trivia/api/); its guide for people is /api/, among the public pages.
    path("api/v1/", include("trivia.api.urls")),
    path("", include("trivia.urls")),
]

if settings.REDSHOES_BENCH:

    def bench_hello(request):
        """The framework's floor for `make bench`: the whole middleware stack, no database, no template."""
        return HttpResponse("Hello from redshoes.", content_type="text/plain; charset=utf-8")

    urlpatterns.insert(0, path("bench/hello/", bench_hello, name="bench_hello"))
