from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "sunflower.orgs"
    verbose_name = "组织与花名册"
