"""gunicorn settings for `make serve`, read from the environment like Django's.

REDSHOES_BIND      address to listen on (default 127.0.0.1:8000; 0.0.0.0:8000 in a container)
WEB_CONCURRENCY    worker processes (default 2 x CPU cores + 1, at most 8)
GUNICORN_TIMEOUT   seconds before a stuck worker is restarted (default 30)

Access and error logs go to stdout as the same one-line `ts=… level=… logger=…`
records Django writes (redshoes/logging.py), so one collector reads them all.
"""

import multiprocessing
import os

from redshoes.env import env_number
from redshoes.logging import stdout_logging

wsgi_app = "redshoes.wsgi:application"

bind = [os.environ.get("REDSHOES_BIND", "127.0.0.1:8000")]
workers = env_number("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8), minimum=1)
timeout = env_number("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = timeout
keepalive = 5
# Recycle workers now and then so a slow leak never grows into an outage; the jitter
# keeps them from all restarting at once.
max_requests = 2000
max_requests_jitter = 200
# gunicorn's runtime control socket sits at one fixed path per user, so two instances on
# one machine (a test, a benchmark) would fight over it; nothing here uses it.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
# client, request line, status, bytes, milliseconds, user agent
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
# gunicorn's loggers write through the root handler only (Django's settings install
# the same handler in each worker), so no line is printed twice.
logconfig_dict = stdout_logging(
    "INFO",
    {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
    },
)
