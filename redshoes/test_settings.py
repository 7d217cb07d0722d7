"""Settings for the test suite: the real settings, a throwaway secret and a fast hasher."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")

from .settings import *  # noqa: E402,F403

# The test client and live_server speak plain HTTP; production's redirect to HTTPS is
# switched off here (tests that check the redirect turn it back on with override_settings).
SECURE_SSL_REDIRECT = False

# The suite never runs collectstatic: plain storage, so `{% static %}` has no manifest
# to miss, and WhiteNoise serves straight from the app and project static folders.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# No page cache: each test's data is rolled back, so the next test can reach the same
# content version with different rows. tests/test_page_cache.py switches it on itself.
CACHES = {**CACHES, "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # noqa: F405

# Hashing passwords properly is slow on purpose; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Whatever the environment says (REDIS_URL), the suite's default cache is this process's
# memory; the tests of the shared cache point at Redis themselves (tests/redis_support.py).
CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405

# Background jobs run at once, inside the request that enqueues them.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
