"""Background jobs: work too long for a request (exports, draft facts from big sources).

An app of its own (label `jobs`) so its rows never enter `dumpdata trivia`, the
fixtures and backups of the knowledge base. `models` holds a job and its result file,
`lifecycle` the states a job goes through (queued, running with a heartbeat, done with
a file or failed with a reason, retried when its worker died), `files` the result file
kept in the database in compressed chunks. The work itself is in `trivia/tasks.py`; the
pages in `trivia/admin/jobs.py`.
"""
