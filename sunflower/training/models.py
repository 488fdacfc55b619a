"""Training (DESIGN.md §1 strand 3, issue 6): annual plans, courses, sessions, enrolment,
attendance, online lessons and the half-yearly requirement. Training records are T1: personal
but not sensitive, kept in clear and read through the roster's scope rules.

Every cadre must complete at least one course that counts toward the requirement in each half
year (H1: January–June, H2: July–December, local time): by attending a session of it, or by
completing an online lesson of it (≥ 90 % watched without skipping ahead).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sunflower.orgs.models import Person, Unit


class TrainingPlan(models.Model):
    """One organising unit's annual training plan (年度培训计划)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="training_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("年度培训计划")
        verbose_name_plural = _("年度培训计划")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_training_plan_per_unit_year")
        ]

    def __str__(self) -> str:
        return self.title


class DeliveryMode(models.TextChoices):
    PARTY_SCHOOL = "party_school", _("党校主体班次")
    LEADERS_LECTURE = "leaders_lecture", _("领导干部大讲堂")
    TOPICAL_LECTURE = "topical_lecture", _("专题讲座")
    ROTATIONAL = "rotational", _("轮训")
    SENT_TO_UNIT = "sent_to_unit", _("送学送教")
    ONLINE = "online", _("线上课程")


class Audience(models.TextChoices):
    ALL_CADRES = "all_cadres", _("全体干部")
    TALK_STAFF = "talk_staff", _("组工干部和党组织书记（谈心谈话技巧）")
    BACKBONE = "backbone", _("心理骨干")
    VOLUNTEERS = "volunteers", _("心理志愿者")


class Course(models.Model):
    """A course in a plan: how it is delivered, to whom, and whether it meets the requirement."""

    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("培训计划"), on_delete=models.CASCADE, related_name="courses"
    )
    title = models.CharField(_("课程名称"), max_length=120)
    summary = models.TextField(_("课程简介"), blank=True)
    mode = models.CharField(_("形式"), max_length=20, choices=DeliveryMode.choices)
    audience = models.CharField(
        _("对象"), max_length=20, choices=Audience.choices, default=Audience.ALL_CADRES
    )
    counts_toward_requirement = models.BooleanField(_("计入每半年必修要求"), default=True)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1, default=2)
    published = models.BooleanField(_("已发布"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["plan", "title"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """One sitting of a course: when, where (or online link), who teaches, for whom, how many."""

    course = models.ForeignKey(
        Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.URLField(_("线上链接"), blank=True)
    # Free text until the expert pool (services app) exists; then a link to an expert.
    trainer = models.CharField(_("授课人"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("名额"), default=50)
    target_units = models.ManyToManyField(
        Unit, verbose_name=_("面向单位（含下级）"), related_name="+", blank=True
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训场次")
        verbose_name_plural = _("培训场次")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_it_starts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.starts_at:%Y-%m-%d %H:%M}"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("已报名")
    WAITING = "waiting", _("候补")
    CANCELLED = "cancelled", _("已取消")


class Enrolment(models.Model):
    """A cadre's place (or place in the queue) in a session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)  # the waiting list's order
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_enrolment_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.person_id} {self.status}"


class AttendanceSource(models.TextChoices):
    QR = "qr", _("扫码签到")
    ROLL = "roll", _("人工点名")
    IMPORT = "import", _("签到表导入")


class Attendance(models.Model):
    """A cadre's presence at a session, once per session; late and early marks kept."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="attendances"
    )
    checked_in_at = models.DateTimeField(_("签到时间"))
    source = models.CharField(_("方式"), max_length=8, choices=AttendanceSource.choices)
    late = models.BooleanField(_("迟到"), default=False)
    left_early = models.BooleanField(_("早退"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_attendance_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.person_id}"


class LessonKind(models.TextChoices):
    VIDEO = "video", _("视频")
    AUDIO = "audio", _("音频")


# The media types a lesson may have (found by content, see training/media.py) and their suffix.
LESSON_SUFFIXES = {
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "audio/mp4": ".m4a",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
}


def lesson_media_path(instance: Lesson, filename: str) -> str:
    """A random name under lessons/: the uploader's file name is neither kept nor trusted."""
    suffix = LESSON_SUFFIXES.get(instance.content_type, ".bin")
    return f"lessons/{uuid.uuid4().hex}{suffix}"


class Lesson(models.Model):
    """An online video or audio lesson of a course (issue 6 item 3). The media file lives under
    MEDIA_ROOT and is served only by the access-checked streaming view, never by a public URL.
    The media is fixed once uploaded (progress is measured against it): to change it, upload a
    new lesson and unpublish the old one."""

    course = models.ForeignKey(
        Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="lessons"
    )
    title = models.CharField(_("课时名称"), max_length=120)
    summary = models.TextField(_("简介"), blank=True)
    kind = models.CharField(_("类型"), max_length=8, choices=LessonKind.choices)
    media = models.FileField(_("媒体文件"), upload_to=lesson_media_path, max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"))
    # Entered by the admin, read from a WAV header, or filled in by the admin page's player
    # (HTMLMediaElement.duration); never taken from a cadre's browser. 0 until known.
    duration_seconds = models.PositiveIntegerField(_("时长（秒）"), default=0)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    published = models.BooleanField(_("已发布"), default=False)
    quiz_pass_mark = models.PositiveSmallIntegerField(
        _("测验及格分（百分制）"), default=60, help_text=_("有测验题时，得分不低于此分才算完成")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("线上课时")
        verbose_name_plural = _("线上课时")
        ordering = ["course", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quiz_pass_mark__lte=100), name="lesson_pass_mark_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_label(self) -> str:
        """ "12:05" or "1:02:05"; "—" while the duration is unknown."""
        if not self.duration_seconds:
            return "—"
        hours, rest = divmod(self.duration_seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class QuizQuestion(models.Model):
    """A single-choice question asked after a lesson's media."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("题目"), max_length=300)
    options = models.JSONField(_("选项"), default=list)  # a list of 2–6 strings
    correct_option = models.PositiveSmallIntegerField(_("正确选项"))  # index into options

    class Meta:
        verbose_name = _("测验题")
        verbose_name_plural = _("测验题")
        ordering = ["lesson", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class LessonProgress(models.Model):
    """One cadre's progress through one lesson; the rules are in training/lessons.py."""

    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    # The end of the span [0, furthest] played continuously from the start (seconds).
    furthest_seconds = models.FloatField(_("连续观看到"), default=0)
    watched_seconds = models.FloatField(_("累计观看秒数"), default=0)
    skip_detected = models.BooleanField(_("检测到快进跳过"), default=False)
    # The server-observed seconds of the steps that extended the span: it bounds the span.
    span_play_seconds = models.FloatField(_("连续观看用时（秒）"), default=0)
    # The last report jumped past the span's end and has not come back inside it since.
    off_span = models.BooleanField(default=False)
    last_position = models.FloatField(default=0)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    quiz_passed = models.BooleanField(_("测验通过"), default=False)
    quiz_attempts = models.PositiveSmallIntegerField(_("测验次数"), default=0)
    quiz_best_score = models.PositiveSmallIntegerField(_("测验最高分"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始学习"), auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [
            models.UniqueConstraint(fields=["person", "lesson"], name="one_progress_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.lesson_id}"
