from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "sunflower.care"
    verbose_name = "关爱与危机干预"

    def ready(self) -> None:
        # The warning, case and escalation kinds are registered by the notifications app;
        # these two are the explanation request's (PIPL Art. 24).
        from sunflower.notifications.kinds import register_kind

        register_kind("care.explanation", sensitive=True, label=_("说明请求"))
        register_kind("care.explanation_answered", sensitive=True, label=_("说明答复"))

        from sunflower.care import demo_cases, demo_talks

        demo_cases.register()
        demo_talks.register()
