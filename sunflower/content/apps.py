from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "sunflower.content"
    verbose_name = "心理健康知识"

    def ready(self) -> None:
        from sunflower.content import demo

        demo.register()
