"""`{{ path|absolute }}`: a site path as a full URL on the public site (`settings.SITE_URL`).

Canonical links and the "Cite this fact" block must name the public address, not
whatever Host header a request happened to carry.
"""

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def absolute(path: str) -> str:
    return settings.SITE_URL + path
