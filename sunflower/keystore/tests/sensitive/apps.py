from django.apps import AppConfig


class SensitiveTestConfig(AppConfig):
    name = "sunflower.keystore.tests.sensitive"
    label = "keystore_sensitive_test"
    verbose_name = "T2 test model"
