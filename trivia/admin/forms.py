"""Admin forms: citations anchored from a pasted quote, and edits refused when stale.

Two rules editors rely on live here. A citation is never typed as offsets: the editor
pastes the quote and the form finds it in the source (asking which paragraph when it
occurs more than once). And a form opened on an old version of a fact or source cannot
be saved over someone else's newer save: it carries the row's `lock_version`, and a
mismatch is a form error that keeps the editor's input.
"""

import copy

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from .. import integrity, text
from ..models import Citation, Fact, Source
from ..services import anchoring, keys
from . import history, look_alikes

# Submit buttons whose name holds "confirm": saving again with one of them accepts what the form held back.
CONFIRM_TEXT_CHANGE = "confirm_text_change"
# The near-miss error's button: its value is the source's wording, which becomes the quote.
USE_SOURCE_WORDING = "use_source_wording"

# Typographic punctuation editors paste from word processors, mapped to the plain
# characters (one for one, so offsets do not shift) to explain a near miss.
TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


class LockedModelForm(forms.ModelForm):
    """A model form for a row with `lock_version`: a save from a stale form is refused.

    The hidden `seen_lock_version` is the version the editor opened. `clean()` compares it
    with the row as stored now; the admin then claims the version with a conditional
    UPDATE (`services.editing.claim_lock_version`), so even a save racing this check cannot
    overwrite.
    """

    # Not named `lock_version`: the admin refuses a form field named like a non-editable model field.
    seen_lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locked = self.lock_target()
        if locked is not None:
            self.initial["seen_lock_version"] = locked.lock_version

    def lock_target(self):
        """The stored row whose lock guards this form (None when adding)."""
        return self.instance if self.instance.pk else None

    def clean(self):
        cleaned_data = super().clean()
        locked = self.lock_target()
        if locked is None:
            return cleaned_data
        seen = cleaned_data.get("seen_lock_version")
        current = type(locked)._default_manager.filter(pk=locked.pk).values_list("lock_version", flat=True).first()
        if current is None:
            raise ValidationError(
                f"This {locked._meta.verbose_name} was deleted after you opened it; your changes cannot be saved.",
                code="deleted",
            )
        if seen is None:
            raise ValidationError(
                "This form is missing its version marker, so it cannot be checked against newer saves. "
                "Reload the page and make your changes again.",
                code="missing_lock_version",
            )
        if seen != current:
            message = history.describe_conflict(locked, seen, current, self.submitted_values())
            # The editor has now been told what changed; if they save again, it is a
            # deliberate choice to replace that version with theirs.
            self.data = self.data.copy()
            self.data[self.add_prefix("seen_lock_version")] = str(current)
            raise ValidationError(message, code="stale")
        return cleaned_data

    def submitted_values(self) -> dict:
        """The editor's input by model field name, for comparing with the stored row."""
        return {name: value for name, value in self.cleaned_data.items() if name != "seen_lock_version"}


class FactForm(LockedModelForm):
    class Meta:
        model = Fact
        fields = ["key", "film", "topic", "text", "people", "is_spoiler", "status", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "key" in self.fields:
            # Blank means "make one from the text" (services.keys.readable_fact_key). The
            # model's random default is for rows made elsewhere and is never offered here.
            key = self.fields["key"]
            key.required = False
            key.initial = ""
            key.show_hidden_initial = False
            self.initial["key"] = ""
            key.help_text = (
                "The fact's permanent URL, e.g. heckroth-120-paintings. Leave blank to make one from the text; "
                "it cannot change later."
            )

    def clean(self):
        cleaned_data = super().clean()
        if "key" in self.fields and not cleaned_data.get("key") and cleaned_data.get("text"):
            cleaned_data["key"] = keys.readable_fact_key(cleaned_data["text"])
        return cleaned_data


class SourceForm(LockedModelForm):
    class Meta:
        model = Source
        fields = ["title", "slug", "kind", "url", "author", "publisher", "accessed", "content"]

    def clean_content(self):
        # Browsers send textarea lines as CRLF; stored text is LF. Normalising here keeps
        # an untouched content field from looking "changed" (and re-anchoring for nothing).
        content = text.normalise_newlines(self.cleaned_data["content"])
        # The fingerprint is unique in the database; say which source already has this text.
        twin = Source.objects.filter(sha256=text.sha256_hex(content)).exclude(pk=self.instance.pk).first()
        if twin is not None:
            raise ValidationError(f"The source “{twin}” already has exactly this text; edit that one instead.")
        return content

    def clean(self):
        cleaned_data = super().clean()
        if self.errors or self.instance.pk is None or "content" not in cleaned_data:
            return cleaned_data
        previous, new = self.initial.get("content", ""), cleaned_data["content"]
        if new == previous or self.text_change_confirmed(new):
            return cleaned_data
        edited = copy.copy(self.instance)
        edited.content = new
        preview = anchoring.preview_reanchoring(edited, previous)
        if any(citation.fact.is_published for citation, _ in preview.broken):
            # Held: the template lists the preview and offers the confirming button.
            self.text_change_preview, self.text_change_content = preview, new
            self.text_change_sha256 = text.sha256_hex(new)
            raise ValidationError(
                "Not saved yet: this text would break citations of published facts (listed above). "
                "Confirm the change there, or edit the text and save again.",
                code=CONFIRM_TEXT_CHANGE,
            )
        return cleaned_data

    def text_change_confirmed(self, new: str) -> bool:
        """Confirmed, for the very text that was previewed (a text edited after the preview is previewed again)."""
        confirmed = self.data.get(CONFIRM_TEXT_CHANGE, "") not in ("", "0", "false")
        reviewed = self.data.get("reviewed_text_sha256", "")
        return confirmed and reviewed in ("", text.sha256_hex(new))


def near_miss(content: str, quote: str) -> str | None:
    """Where the quote almost occurs (other quotation marks, dashes or capitals), as the source has it."""
    if len(content.casefold()) != len(content) or len(quote.casefold()) != len(quote):
        return None
    folded_content = content.translate(TYPOGRAPHIC).casefold()
    position = folded_content.find(quote.translate(TYPOGRAPHIC).casefold())
    if position == -1:
        return None
    return content[position : position + len(quote)]


class CitationForm(forms.ModelForm):
    """The editor picks a source and pastes the quote; start and end are computed."""

    occurrence_paragraph = forms.IntegerField(
        label="In paragraph",
        required=False,
        min_value=1,
        help_text="Only needed when the quote occurs more than once in the source: the paragraph you mean.",
    )
    # The offsets of a passage selected in the workbench: used while the quote still sits exactly there.
    selection_start = forms.IntegerField(required=False, widget=forms.HiddenInput)
    selection_end = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Citation
        fields = ["source", "quote"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wording = self.data.get(self.add_prefix(USE_SOURCE_WORDING)) if self.is_bound else None
        if wording:
            # "Use the source's wording" pressed without JavaScript: that wording is the quote now.
            self.data = self.data.copy()
            self.data[self.add_prefix("quote")] = wording

    def clean_quote(self):
        return text.normalise_newlines(self.cleaned_data["quote"])

    def selected_offsets(self, source, quote) -> tuple[int, int] | None:
        """The selection's offsets, if the quote is still exactly the source's words there (integrity's rule)."""
        start, end = self.cleaned_data.get("selection_start"), self.cleaned_data.get("selection_end")
        if start is None or end is None or start < 0:
            return None
        if integrity.quote_problems(source.content, quote, start, end):
            return None  # the quote was edited after selecting, or the text changed: find it as if pasted
        return start, end

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and not self.has_changed():
            # Untouched: keep it as stored, even when a source edit has marked it broken.
            return cleaned_data
        source, quote = cleaned_data.get("source"), cleaned_data.get("quote")
        if source is None or not quote:
            return cleaned_data
        paragraph = cleaned_data.get("occurrence_paragraph")
        try:
            start, end = self.selected_offsets(source, quote) or text.locate_quote(source.content, quote, paragraph)
        except text.AmbiguousQuote as exc:
            where = ", ".join(str(n) for n in exc.paragraph_numbers)
            self.add_error(
                "occurrence_paragraph",
                f"This quote occurs {len(exc.starts)} times in “{source}” (paragraphs {where}). "
                "Enter the number of the paragraph you mean, or paste a longer quote.",
            )
            return cleaned_data
        except text.QuoteNotFound:
            self.add_error(*self.not_found_error(source, quote, paragraph))
            return cleaned_data
        self.instance.start, self.instance.end = start, end
        # A fresh anchoring against the current text repairs a broken citation.
        self.instance.is_broken = False
        self.instance.broken_reason = ""
        self.check_not_cited_twice(source, start, end)
        return cleaned_data

    def not_found_error(self, source, quote, paragraph) -> tuple[str, str]:
        elsewhere = text.find_occurrences(source.content, quote)
        if paragraph is not None and elsewhere:
            spans = source.paragraphs()
            numbers = sorted({text.paragraph_number(source.content, s, spans) for s in elsewhere})
            listed = ", ".join(str(n) for n in numbers)
            return (
                "occurrence_paragraph",
                f"The quote is not in paragraph {paragraph} of “{source}”; it occurs in paragraph {listed}.",
            )
        message = format_html("This quote does not occur in “{}”. Paste the exact words from the source.", source)
        almost = near_miss(source.content, quote)
        if almost is not None:
            message = format_html(
                '{} The source has it with different punctuation or capitals: “{}”. <button type="submit" '
                'class="button use-source-wording" name="{}" value="{}" data-quote-field="{}">'
                "Use the source’s wording</button>",
                message,
                almost,
                self.add_prefix(USE_SOURCE_WORDING),
                almost,
                self["quote"].auto_id,
            )
        return ("quote", message)

    def check_not_cited_twice(self, source, start, end):
        """The database forbids citing one passage twice for a fact; say so before it does."""
        # On a citation's own page the fact is a field of the form (and may be changing).
        fact = self.cleaned_data.get("fact")
        fact_id = fact.pk if fact is not None else self.instance.fact_id
        if fact_id is None:
            return
        duplicates = Citation.objects.filter(fact_id=fact_id, source=source, start=start, end=end)
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            self.add_error("quote", "This fact already cites exactly this passage.")


class StandaloneCitationForm(CitationForm, LockedModelForm):
    """A citation edited on its own page: guarded by its fact's lock, like the fact page's inline.

    Editing a citation changes what its fact claims to rest on, so it bumps the fact's
    lock_version; a fact form opened before that edit is then refused instead of
    silently writing the old citation back.
    """

    class Meta(CitationForm.Meta):
        fields = ["fact", "source", "quote"]

    def lock_target(self):
        return self.instance.fact if self.instance.pk else None

    def submitted_values(self) -> dict:
        return {}


class CitationInlineFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.initial_form_count() and self.instance.pk:
            # A new citation most likely comes from the source the fact already cites.
            last = self.instance.citations.order_by("-pk").values_list("source_id", flat=True).first()
            if last is not None:
                kwargs["initial"] = {"source": last}
        return kwargs

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self.can_delete and self._should_delete_form(form):
                continue
            instance = form.instance
            if instance.source_id is None or instance.start is None or instance.is_broken:
                continue
            passage = (instance.source_id, instance.start, instance.end)
            if passage in seen:
                form.add_error("quote", "Another citation of this fact already cites exactly this passage.")
            seen.add(passage)
        if not any(form.errors for form in self.forms):
            look_alikes.hold_if_repeating(self.instance, self.new_passages(), self.data)

    def new_passages(self) -> list[tuple[int, int, int]]:
        """(source, start, end) of the citations this save adds or changes."""
        passages = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self.can_delete and self._should_delete_form(form):
                continue
            instance = form.instance
            if instance.start is None or instance.is_broken or (instance.pk and not form.has_changed()):
                continue
            passages.append((instance.source_id, instance.start, instance.end))
        return passages


class EditorLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing a user name no account can have before anything records it.

    Django's form does not enforce the user name's length, and django-axes stores every
    failed name in a 255-character column: a longer one was a database error (a 500 on
    PostgreSQL). Too long is simply a wrong user name or password.
    """

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > self.username_field.max_length:
            raise self.get_invalid_login_error()
        return super().clean()
