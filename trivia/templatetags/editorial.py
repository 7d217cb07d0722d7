"""`{% editorial_queue %}`: the admin home page's list of what is waiting for editors (trivia/editorial_queue.py)."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from ..editorial_queue import editorial_queue
from ..models import Fact

register = template.Library()


@register.inclusion_tag("admin/trivia/includes/editorial_queue.html", takes_context=True)
def editorial_queue_panel(context):
    user = context["request"].user
    if not (user.has_perm("trivia.view_fact") and user.has_perm("trivia.view_source")):
        return {"queue": None}
    facts = reverse("admin:trivia_fact_changelist")
    return {
        "queue": editorial_queue(),
        "drafts_url": f"{facts}?{urlencode({'status__exact': Fact.Status.DRAFT})}",
        "broken_url": f"{facts}?{urlencode({'broken': 'yes'})}",
        "uncited_url": f"{reverse('admin:trivia_source_changelist')}?{urlencode({'uncited': 'yes'})}",
    }
