"""Read queries the public pages need, each loading its related rows up front.

Grouping, tables of contents and footnote numbering happen here, in Python, not in
templates. Every page reads facts through `facts.reading_facts` (one set of prefetches,
one reading order) and pages through `trivia.pagination` (one clamping rule).

- `facts`: what a fact carries to a page, the reading order, footnotes, spoilers folded last.
- `notes`: short notes (Wikipedia's shortened footnotes) and each source named once.
- `clickthrough`: a note's link to its passage, and the "Cited for" it opens on the source page.
- `citing`: a fact's own page and its "Cite this" styles.
- `home`: the best-documented films, and every film by title or year.
- `films`: a film's page of facts by topic.
- `listings`: a person's or a topic's facts across films.
- `sources`: a source's text with its cited passages marked and its spoilers folded.
- `search`: one page of /facts/ search results, highlighted; `names`: people and sources by typed name.
"""
