"""WSGI entry point (gunicorn redshoes.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redshoes.settings")

application = get_wsgi_application()
