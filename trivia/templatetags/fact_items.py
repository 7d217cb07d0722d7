"""`{% fact_items facts %}` and `{% reference_items references %}`: list items kept between renders.

The same HTML as `{% for fact in facts %}{% include "includes/fact.html" %}{% endfor %}`
(with `show_topic` and `page_person` read from the context, as the include reads them), and
as `includes/reference.html` for each note; each item comes from the fragment cache when
kept (trivia/fragments.py).
"""

from django import template

from .. import fragments

register = template.Library()


@register.simple_tag(takes_context=True)
def fact_items(context, facts):
    return fragments.render_fact_items(context, facts)


@register.simple_tag(takes_context=True)
def reference_items(context, references):
    return fragments.render_reference_items(context, references)
