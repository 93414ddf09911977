from django.apps import AppConfig


class Alert4youConfig(AppConfig):
    name = "alert4you"
    verbose_name = "Alert4you"
