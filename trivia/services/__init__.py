"""Writes with rules, one module per capability.

- `seeding`: the seed spec into an empty or partly seeded database.
- `editing`: optimistic locks and bulk changes to facts.
- `anchoring`: citations following their passages after a source's text changes.
- `importing`: a source document in, one cited draft fact per paragraph out.
- `roles`: the Editors group and editor accounts.

Each public function is one transaction: a failure half-way leaves the database as it was.
Views, the admin and management commands call these; none of them writes on its own.
"""
