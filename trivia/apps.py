from django.apps import AppConfig


class TriviaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trivia"
    verbose_name = "Trivia"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        # Signal handlers keep derived data (citation checks on fixture loads) in step.
        from . import fact_counts, fact_tokens, signals  # noqa: F401
        from .freshness import ensure_version_triggers
        from .services.editing import ensure_lock_triggers

        # A SQLite table rebuild drops triggers; put them back after migrate.
        post_migrate.connect(ensure_version_triggers, sender=self, dispatch_uid="trivia_ensure_version_triggers")
        post_migrate.connect(ensure_lock_triggers, sender=self, dispatch_uid="trivia_ensure_lock_triggers")
        post_migrate.connect(fact_counts.ensure, sender=self, dispatch_uid="trivia_ensure_fact_count_triggers")
        # The display-token triggers reach across tables: off while migrations run (trivia/fact_tokens.py).
        pre_migrate.connect(fact_tokens.suspend, sender=self, dispatch_uid="trivia_suspend_fact_token_triggers")
        post_migrate.connect(fact_tokens.ensure, sender=self, dispatch_uid="trivia_ensure_fact_token_triggers")
