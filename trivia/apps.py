from django.apps import AppConfig


class TriviaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trivia"
    verbose_name = "Trivia"

    def ready(self):
        # Signal handlers keep derived data (citation checks on fixture loads) in step.
        from . import signals  # noqa: F401
