"""Synthetic demo data at scale: films, people, topics, sources and cited facts.

A plausible film archive invented from a seeded random generator (the same seed gives the
same rows) and written in bulk through trivia/bulk.py, so every source and citation
passes the same provenance rules as the seed. Every row it owns starts with `demo-`; a
rerun replaces those rows and nothing else.

- `vocabulary`: the words, names and sentence templates the archive is made of.
- `planning`: every row decided from the seed, in memory, with no database.
- `writing`: the planned rows inserted in batches; `generate_demo_data` is the entry point.
"""
