"""The pure text logic every citation relies on: paragraphs and quote anchoring."""

import pytest

from trivia import text

DOC = "First para, one.\n\nSecond para mentions Rank.\n  \nThird para: Rank again.\n"


def test_paragraphs_are_numbered_from_one_with_exact_offsets():
    spans = text.paragraphs(DOC)
    assert [p.number for p in spans] == [1, 2, 3]
    for p in spans:
        assert DOC[p.start : p.end] == p.text
    assert spans[2].text == "Third para: Rank again."


def test_a_whitespace_only_line_separates_paragraphs():
    assert len(text.paragraphs("a\n \t\nb")) == 2


def test_paragraph_number_of_an_offset():
    assert text.paragraph_number(DOC, DOC.index("Second")) == 2
    assert text.paragraph_number(DOC, DOC.index("Third")) == 3
    assert text.paragraph_number(DOC, 0) == 1


def test_locate_quote_returns_exact_offsets():
    start, end = text.locate_quote(DOC, "mentions Rank")
    assert DOC[start:end] == "mentions Rank"


def test_locate_quote_refuses_a_missing_quote_naming_it():
    with pytest.raises(text.QuoteNotFound, match="not in here"):
        text.locate_quote(DOC, "not in here")


def test_locate_quote_refuses_an_ambiguous_quote_and_lists_paragraphs():
    with pytest.raises(text.AmbiguousQuote) as excinfo:
        text.locate_quote(DOC, "Rank")
    assert excinfo.value.paragraph_numbers == [2, 3]
    assert "paragraph 2, paragraph 3" in str(excinfo.value)


def test_locate_quote_in_a_chosen_paragraph():
    start, _ = text.locate_quote(DOC, "Rank", paragraph=3)
    assert text.paragraph_number(DOC, start) == 3


def test_crlf_and_cr_are_normalised_to_newlines():
    assert text.normalise_newlines("a\r\nb\rc\n") == "a\nb\nc\n"


def test_sha256_is_of_the_utf8_bytes():
    assert text.sha256_hex("é") == "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"
