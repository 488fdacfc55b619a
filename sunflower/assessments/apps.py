from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "sunflower.assessments"
    verbose_name = "心理测评"

    def ready(self) -> None:
        # The cadre's own results join their personal data download (a sensitive section).
        from sunflower.assessments import demo, export

        export.register()
        demo.register()
