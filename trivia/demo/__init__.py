"""Synthetic demo data at scale: films, people, topics, sources and cited facts.

The seed holds one film and a few dozen facts; performance only shows with tens of
thousands. This module invents a plausible film archive from a seeded random number
generator, so the same seed always gives the same rows, and writes it with
`bulk_create` in batches, so 100,000 facts take seconds rather than minutes.

Everything it writes is provenance-sound like the seed: every fact cites a real span
of a source the generator also wrote (`source.content[start:end] == quote`, with the
paragraph number from `trivia.text`). Every row it owns has a slug or key starting with
`demo-`, so the seeded Red Shoes data is never touched, and a rerun first removes the
previous demo rows and only those.

`bulk_create` bypasses `save()` and signals, so what `save()` would derive (a source's
SHA-256, a citation's paragraph, a fact's search document) is computed here, and no
django-reversion history is written: demo rows have no edits to remember.

- `vocabulary`: the words, names and sentence templates the archive is made of.
- `planning`: every row decided from the seed, in memory, with no database.
- `writing`: the planned rows inserted in batches; `generate_demo_data` is the entry point.
"""
