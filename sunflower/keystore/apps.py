from django.apps import AppConfig


class KeystoreConfig(AppConfig):
    name = "sunflower.keystore"
    verbose_name = "密钥库"
