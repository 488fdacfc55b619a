from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "sunflower.training"
    verbose_name = "培训"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from sunflower.notifications.kinds import register_kind
        from sunflower.training import compliance, demo

        # Training notices name a course and a time, never anything about health.
        register_kind("training.promoted", sensitive=False, label=_("候补转正"))
        register_kind("training.cancelled", sensitive=False, label=_("培训取消"))
        demo.register()
        from sunflower.training import demo_lessons, lessons

        compliance.register_completion_source(lessons.completed_lessons_between)
        demo_lessons.register()
