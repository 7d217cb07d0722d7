"""`/healthz`: tells a load balancer whether this process can serve pages.

Serving a page needs the database, so the check runs one trivial query: without it the
answer is 503 and the balancer takes the host out. The shared cache (Redis) only saves
renders: without it pages are still served, so the answer stays 200 and says
`"status": "degraded", "cache": "degraded"` for monitoring to notice. It needs no login
(probes have none) and is never cached, so a failure shows at once.
"""

import logging

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from redshoes.cache import cache_state

from .page_cache import PAGE_CACHE_ALIAS

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    cache = cache_state(caches[PAGE_CACHE_ALIAS])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The details go to the log, not to whoever is probing.
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "error", "cache": cache}, status=503)
    return JsonResponse({"status": "degraded" if cache == "degraded" else "ok", "database": "ok", "cache": cache})
