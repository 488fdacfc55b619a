from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "sunflower.privacy"
    verbose_name = "个人信息与授权"

    def ready(self) -> None:
        # The export's own sections (roster, account, consents, requests, logins) register
        # first; apps holding sensitive data add theirs in their own ready().
        from sunflower.privacy import export

        export.register_builtin_sections()
