from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sunflower.audit"
    verbose_name = "审计"
