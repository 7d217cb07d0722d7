"""Top-level URLs: the admin and the public trivia site."""

from django.contrib import admin
from django.urls import include, path

from trivia.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    # For load balancers: 200 when the database answers, 503 when it does not.
    path("healthz", healthz, name="healthz"),
    path("", include("trivia.urls")),
]
