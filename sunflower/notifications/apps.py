from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sunflower.notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from sunflower.notifications import kinds

        kinds.register_builtin_kinds()
