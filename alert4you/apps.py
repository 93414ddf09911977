from django.apps import AppConfig


class Alert4youConfig(AppConfig):
    name = "alert4you"
    verbose_name = "Alert4you"

    def ready(self):
        # Connects the login, logout and lockout receivers.
        from . import sessions  # noqa: F401
