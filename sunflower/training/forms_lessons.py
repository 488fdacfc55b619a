"""Forms for online lessons: the upload (checked by content and size), edits and quiz questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sunflower.training import media
from sunflower.training.models import Lesson, QuizQuestion

ACCEPT = ".mp4,.m4a,.webm,.mkv,.mp3,.ogg,.oga,.wav,video/*,audio/*"


class LessonUploadForm(forms.Form):
    title = forms.CharField(label=_("课时名称"), max_length=120)
    summary = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label=_("视频或音频文件"),
        help_text=_("支持 MP4、WebM、M4A、MP3、OGG、WAV。"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    duration_seconds = forms.IntegerField(
        label=_("时长（秒）"),
        required=False,
        min_value=1,
        max_value=24 * 3600,
        help_text=_("可不填：WAV 文件自动读取；其他格式上传后在预览页播放一次即可自动填入。"),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.SUNFLOWER_MAX_LESSON_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("文件太大（%(size)s），最大允许 %(limit)s。请压缩后再上传。")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if not upload.size:
            raise forms.ValidationError(_("文件是空的"))
        upload.seek(0)
        head = upload.read(media.SNIFF_BYTES)
        upload.seek(0)
        content_type = media.sniff(head)
        if content_type is None:
            raise forms.ValidationError(
                _(
                    "无法识别的文件内容：只能上传 MP4、WebM、M4A、MP3、OGG 或 WAV 格式的视频或音频"
                    "（按文件内容判断，改扩展名无效）。"
                )
            )
        self.content_type = content_type
        return upload

    def lesson_fields(self) -> dict[str, Any]:
        upload: UploadedFile = self.cleaned_data["file"]
        duration = self.cleaned_data.get("duration_seconds") or 0
        if not duration and self.content_type == "audio/wav" and upload.file is not None:
            duration = media.wav_duration(upload.file)
            upload.seek(0)
        return {
            "title": self.cleaned_data["title"],
            "summary": self.cleaned_data["summary"],
            "media": upload,
            "content_type": self.content_type,
            "kind": media.kind_of(self.content_type),
            "size": upload.size or 0,
            "duration_seconds": duration,
        }


class LessonEditForm(forms.ModelForm[Lesson]):
    class Meta:
        model = Lesson
        fields = ["title", "summary", "duration_seconds", "position", "quiz_pass_mark"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "duration_seconds": forms.NumberInput(attrs={"data-duration-input": ""}),
        }
        help_texts = {
            "duration_seconds": _("预览播放器读到时长后会自动填入空白的时长，保存后生效。"),
        }

    def clean_duration_seconds(self) -> int:
        value: int = self.cleaned_data["duration_seconds"]
        if value > 24 * 3600:
            raise forms.ValidationError(_("时长不能超过 24 小时"))
        return value

    def clean_quiz_pass_mark(self) -> int:
        value: int = self.cleaned_data["quiz_pass_mark"]
        if value > 100:
            raise forms.ValidationError(_("及格分为 0–100"))
        return value


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("题目"), max_length=300)
    options = forms.CharField(
        label=_("选项（每行一个，2–6 个）"), widget=forms.Textarea(attrs={"rows": 4})
    )
    correct_option = forms.IntegerField(
        label=_("正确选项是第几个"), min_value=1, max_value=6, initial=1
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines = [line.strip() for line in data.get("options", "").splitlines() if line.strip()]
        if not 2 <= len(lines) <= 6:
            self.add_error("options", _("请填写 2–6 个选项，每行一个"))
        elif (data.get("correct_option") or 0) > len(lines):
            self.add_error("correct_option", _("正确选项超出了选项个数"))
        data["option_list"] = lines
        return data


class QuizForm(forms.Form):
    """The cadre's answers: one radio group per question."""

    def __init__(self, *args: Any, questions: list[QuizQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=f"{number}. {question.text}",
                choices=list(enumerate(question.options)),
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("请选择一个答案")},
            )

    def answers(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}
