"""/api/v1/: the NinjaAPI's URL patterns, each view behind `http.open_data`, and a JSON 404 for any other path."""

from django.urls import re_path

from .app import api
from .http import not_found, open_data

patterns, _, namespace = api.urls
for pattern in patterns:
    # CORS, read-only methods, ETags and the page cache for every endpoint, the schema included.
    pattern.callback = open_data(pattern.callback)

app_name = namespace
# Any other path, newlines included (the `path` converter stops at one), is a JSON 404.
urlpatterns = [*patterns, re_path(r"^(?P<rest>[\s\S]*)\Z", open_data(not_found), name="not_found")]
