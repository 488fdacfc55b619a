from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sunflower.api"
    label = "api"
    verbose_name = "API"
