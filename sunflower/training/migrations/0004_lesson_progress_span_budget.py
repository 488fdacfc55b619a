"""Give progress recorded before the span's time budget existed the budget it would need.

The span may not grow beyond 1.5 × `span_play_seconds` (training/lessons.py). Rows from before
that rule start with exactly the budget their span uses, as if watched at 1.5×: a cadre part
way through a lesson carries on without losing the span, and gains nothing extra. Reversing
leaves the column to be dropped by the schema migration before this one.
"""

from django.db import migrations
from django.db.models import F

SPEED_LIMIT = 1.5  # training.lessons.SPEED_LIMIT when this migration was written


def fill_budget(apps, schema_editor=None):
    progress = apps.get_model("training", "LessonProgress")
    progress.objects.filter(furthest_seconds__gt=0).update(
        span_play_seconds=F("furthest_seconds") / SPEED_LIMIT
    )


class Migration(migrations.Migration):
    dependencies = [("training", "0003_lesson_progress_span")]

    operations = [migrations.RunPython(fill_budget, migrations.RunPython.noop)]
