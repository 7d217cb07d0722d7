"""The /facts/ search form: full-text and filters over published facts, with django-filter.

The FilterSet validates the query string (an unknown slug or choice is a form error,
which the view answers with HTTP 400), narrows the facts and orders them;
`selectors.search.search_results()` pages and highlights what it found. Every value the user can send
is checked here, so nothing from the query string reaches SQL unvalidated.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from . import search
from .models import Citation, Fact, Film, Person, Source, Topic
from .selectors import names
from .selectors.facts import READING_ORDER

# Long enough to paste a quote and search for it; past that the form says so.
MAX_QUERY_LENGTH = 1000
# The page's one search form; the filter controls sit apart from it (see FactFilter.__init__).
SEARCH_FORM_ID = "fact-search"

SPOILERS_HIDE = "hide"
SPOILERS_INCLUDE = "include"
SPOILER_CHOICES = [
    (SPOILERS_HIDE, "Hidden"),
    (SPOILERS_INCLUDE, "Shown, collapsed"),
]

# Typed as a name (or a slug) in a text box: too many for a list (issue 13; films since issue 16).
NAMED_FILTERS = ("film", "person", "source")

ORDER_RELEVANCE = "relevance"
ORDER_FILM = "film"
ORDERING_CHOICES = [
    (ORDER_RELEVANCE, "Best match first"),
    (ORDER_FILM, "Film, then topic"),
]
# Equal ranks keep a film's facts together, in topic and page order, without joining the
# film and topic tables for every match (which doubled the time of a common word's search).
RELEVANCE_ORDER = ("-search_rank", "film_id", "topic_id", "position", "pk")


class PlainSelect(forms.Select):
    """A `<select>` written in Python rather than through one template per option.

    Django renders each option with its own template; with hundreds of films (then a list) that was
    most of the search page's time (docs/performance.md). The markup is the same:
    attributes from the bound field (id, aria-invalid, aria-describedby), values and
    labels escaped, the chosen option `selected`.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            selected = " selected" if option_value in chosen else ""
            options.append(format_html('<option value="{}"{}>{}</option>', option_value, selected, label))
        return format_html("<select{}>\n{}\n</select>", flatatt(final_attrs), mark_safe("\n".join(options)))


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices from the field's queryset as it was read (once per form), not from a query of their own."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedChoiceField(forms.ModelChoiceField):
    """A choice among a few rows (the topics), all read once per form: the one read validates the value, lists the
    `<select>`'s options and names the page's inputs (`selectors.search.form_inputs`), where a
    ModelChoiceField makes a query for each."""

    iterator = ListedChoiceIterator

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        for obj in self.queryset:
            if str(getattr(obj, key)) == str(value):
                return obj
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class ListedChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedChoiceField


class SearchQueryField(forms.CharField):
    """The words to search for; a query made only of punctuation is an error, not "everything"."""

    def validate(self, value):
        super().validate(value)
        if value and not search.query_terms(value):
            raise forms.ValidationError(
                "Type at least one word or number to search for; punctuation on its own matches nothing.",
                code="no_words",
            )


class SearchQueryFilter(django_filters.CharFilter):
    field_class = SearchQueryField


class NamedChoiceField(forms.CharField):
    """A film, a person or a source as a reader types it: its address (slug), or its name in any case, accents folded.

    A name that fits several is an error listing them (`candidates`), for the page to
    offer as links.
    """

    def __init__(self, *, model, noun, **kwargs):
        self.model, self.noun = model, noun
        self.candidates = []
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        lookup = names.find_named(self.model, value)
        if lookup.found is not None:
            return lookup.found
        self.candidates = lookup.candidates
        if self.candidates:
            raise forms.ValidationError(
                "“%(value)s” fits more than one %(noun)s: choose one below.",
                code="ambiguous",
                params={"value": value, "noun": self.noun},
            )
        params = {"value": value, "noun": self.noun}
        raise forms.ValidationError("There is no %(noun)s called “%(value)s”.", code="invalid_choice", params=params)


class NamedChoiceFilter(django_filters.Filter):
    field_class = NamedChoiceField


def named_choice(model, label: str, noun: str, help_text: str, **kwargs):
    """A filter chosen from a text box with suggestions (a <datalist>): films, people and sources are too many to list.

    Links from film, person and source pages fill in the slug (`/facts/?person=moira-shearer`).
    """
    return NamedChoiceFilter(
        model=model,
        noun=noun,
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={"list": f"{noun}-suggestions", "autocomplete": "off", "spellcheck": "false"}),
        **kwargs,
    )


class FactFilter(django_filters.FilterSet):
    q = SearchQueryFilter(
        label="Words",
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        help_text="Matches the fact, the names of the people in it and the quotes it cites; "
        "capitals and accents do not matter. End a word with * to match longer words (paint* finds paintings).",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    film = named_choice(Film, "Film", "film", "Its title; add the year if two films share it.", field_name="film")
    topic = ListedChoiceFilter(
        queryset=Topic.objects.only("id", "slug", "name", "order"),
        to_field_name="slug",
        empty_label="Any topic",
        label="Topic",
        widget=PlainSelect,
        error_messages={"invalid_choice": "There is no topic with the address “%(value)s”."},
    )
    person = named_choice(Person, "Person", "person", "A name, as you would write it.", field_name="people")
    source = named_choice(Source, "Source", "source", "Its title, or a word of it.", method="filter_source")
    spoilers = django_filters.ChoiceFilter(
        choices=SPOILER_CHOICES,
        empty_label=None,
        label="Facts that reveal the ending",
        method="filter_spoilers",
        widget=PlainSelect,
    )
    ordering = django_filters.ChoiceFilter(
        choices=ORDERING_CHOICES, empty_label=None, label="Order", method="order", widget=PlainSelect
    )

    class Meta:
        model = Fact
        fields = []  # every filter is declared above

    def __init__(self, data=None, queryset=None, **kwargs):
        if data is not None:
            # The defaults must act when the parameter is absent ("?q=x" hides spoilers
            # and ranks by relevance), and django-filter skips filters whose value is empty.
            data = data.copy()
            if not data.get("spoilers"):
                data["spoilers"] = SPOILERS_HIDE
            if not data.get("ordering"):
                data["ordering"] = ORDER_RELEVANCE if (data.get("q") or "").strip() else ORDER_FILM
        if queryset is None:
            queryset = Fact.objects.published()
        super().__init__(data, queryset, **kwargs)

    def get_form_class(self):
        """The form, made once per process: its fields depend on the declared filters alone (no request, no data).

        django-filter makes a form class, with a field per filter, for every search; that was a
        tenth of a search page's cost after an edit (docs/performance.md, "Phase 4"). Each form
        still gets its own copies of the fields, as every Django form does.
        """
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            form_class = super().get_form_class()
            # Every control but the words sits in the filters panel, after the results; the
            # `form` attribute keeps it part of the one search form wherever it is.
            for name, field in form_class.base_fields.items():
                if name != "q":
                    field.widget.attrs["form"] = SEARCH_FORM_ID
            cls._form_class = form_class
        return cls._form_class

    def is_valid(self):
        valid = super().is_valid()
        if valid and self.data is not None:
            # A film, person or source found from its slug or part of its name shows under its full name.
            for name in NAMED_FILTERS:
                found = self.form.cleaned_data.get(name)
                if found is not None:
                    self.form.data[name] = names.shown_name(found)
        return valid

    def candidates(self) -> dict[str, list]:
        """The films, people and sources an ambiguous name might mean, by field ("person": [...])."""
        return {name: self.form.fields[name].candidates for name in NAMED_FILTERS}

    @property
    def active_filter_count(self) -> int:
        """How many filters narrow the results (the words aside): the count on the folded panel."""
        if not self.is_valid():
            return 0
        data = self.form.cleaned_data
        chosen = [data.get(name) for name in ("film", "topic", "person", "source")]
        return sum(value is not None for value in chosen) + (data.get("spoilers") == SPOILERS_INCLUDE)

    def filter_q(self, queryset, name, value):
        return search.search_facts(queryset, value)

    def filter_source(self, queryset, name, value):
        # A subquery, not a join: a fact quoting one source twice must appear once.
        return queryset.filter(pk__in=Citation.objects.filter(source=value).values("fact_id"))

    def filter_spoilers(self, queryset, name, value):
        # Kept so the page can say how many spoilers the default setting hides.
        self.matches_including_spoilers = queryset
        if value == SPOILERS_INCLUDE:
            return queryset
        return queryset.filter(is_spoiler=False)

    def order(self, queryset, name, value):
        if value == ORDER_RELEVANCE and self.terms:
            return queryset.order_by(*RELEVANCE_ORDER)
        return queryset.order_by(*READING_ORDER)

    @cached_property
    def terms(self) -> list[str]:
        """The words actually searched for (empty when there is no valid query)."""
        if not self.is_valid():
            return []
        return search.query_terms(self.form.cleaned_data.get("q"))

    @property
    def narrowed(self) -> bool:
        """Whether a film, topic, person or source narrows the facts (each has its own index to start from)."""
        data = self.form.cleaned_data
        return any(data.get(name) for name in ("film", "topic", "person", "source"))

    def describe(self) -> str:
        """What was asked for, in words: 'in The Red Shoes (1948), under Production, mentioning Moira Shearer'."""
        data = self.form.cleaned_data
        parts = []
        if data.get("film"):
            parts.append(f"in {data['film']}")
        if data.get("topic"):
            parts.append(f"under {data['topic'].name}")
        if data.get("person"):
            parts.append(f"mentioning {data['person'].name}")
        if data.get("source"):
            parts.append(f"citing {data['source'].title}")
        return ", ".join(parts)

    def canonical_query(self, page_number: int = 1) -> str:
        """This search as a clean query string: defaults and junk parameters left out, one value each."""
        data = self.form.cleaned_data
        params = {}
        if data.get("q"):
            params["q"] = data["q"]
        for name in ("film", "topic", "person", "source"):
            if data.get(name):
                params[name] = data[name].slug
        if data.get("spoilers") == SPOILERS_INCLUDE:
            params["spoilers"] = SPOILERS_INCLUDE
        if data.get("ordering") == ORDER_FILM and self.terms:
            params["ordering"] = ORDER_FILM
        if page_number > 1:
            params["page"] = page_number
        return urlencode(params)
