"""`{% fact_items facts %}`: each fact's `includes/fact.html` list item, kept between renders (trivia/fragments.py).

The same HTML as `{% for fact in facts %}{% include "includes/fact.html" %}{% endfor %}`,
with `show_topic` and `page_person` read from the context as the include would read them.
"""

from django import template

from .. import fragments

register = template.Library()


@register.simple_tag(takes_context=True)
def fact_items(context, facts):
    return fragments.render_items(context, facts)
