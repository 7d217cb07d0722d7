"""The open-data API at /api/v1/: read-only JSON of films, people, topics, sources and facts.

Built with django-ninja (docs/decisions.md, issue 17): `app.py` holds the NinjaAPI and its
errors, `catalogue.py` and `facts.py` the endpoints, `represent.py` turns rows into JSON,
`cursors.py` pages lists, `http.py` gives every response CORS, ETags and JSON errors, and
`urls.py` mounts it. The human guide is `/api/` (`guide.py`).
"""
