from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sunflower.web"
    verbose_name = "界面"
