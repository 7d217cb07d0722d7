"""Read queries the public pages need, each loading its related rows up front.

Grouping, tables of contents and footnote numbering happen here, in Python, not in
templates. Every page reads facts through `facts.reading_facts` (one set of prefetches,
one reading order) and pages through `trivia.pagination` (one clamping rule).

- `facts`: what a fact carries to a page, the reading order, footnotes, "cite this".
- `films`: the home page's films and a film's page of facts by topic.
- `listings`: a person's or a topic's facts across films.
- `sources`: a source's text with its cited passages marked.
- `search`: one page of /facts/ search results, highlighted.
"""
