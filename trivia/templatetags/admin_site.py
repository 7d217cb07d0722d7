"""`{% admin_site_header %}`, `{% admin_site_title %}`: the admin's own names on pages it does not render.

django-axes renders its lockout page without the admin's context, so the header fell
back to "Django administration".
"""

from django import template
from django.contrib import admin

register = template.Library()


@register.simple_tag
def admin_site_header() -> str:
    return admin.site.site_header


@register.simple_tag
def admin_site_title() -> str:
    return admin.site.site_title
