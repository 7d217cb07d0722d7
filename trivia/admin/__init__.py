"""The editorial admin: correct and add entries safely. The admin is UI; the rules live in services.

- `base`: history with a readable diff (`history`), deletions recorded, optimistic locks.
- `catalogue`: films, people, credits and topics.
- `sources`, `facts`, `citations`: the provenance screens.
- `forms`: citations anchored from a pasted quote; stale saves refused.
- `imports_exports`: fixture exports, document uploads, draft facts from paragraphs.
- `jobs`: background jobs' pages (progress, then the file or the reason).
"""

from django.contrib import admin

from . import catalogue, citations, facts, jobs, sources  # noqa: F401  (each registers its ModelAdmins)
from .forms import EditorLoginForm

# Editors should see whose tool this is, not the framework's name (also on the login and lockout pages).
admin.site.site_header = "redshoes editorial admin"
admin.site.site_title = "redshoes admin"
admin.site.index_title = "Films, facts and their sources"
admin.site.login_form = EditorLoginForm
