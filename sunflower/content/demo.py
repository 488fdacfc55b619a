"""The demo city's knowledge base: ~40 original articles (demo_articles.py) across categories
and tags, most published over the past year, four relaxation tracks generated here as small
WAV files (soft tones, a few seconds each), and recommendation rules for assessment results.
Everything is indexed for search in the step's transaction."""

from __future__ import annotations

import io
import math
import random
import struct
import wave
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from sunflower.content import search
from sunflower.content.demo_articles import ARTICLES, CATEGORIES
from sunflower.content.models import (
    Category,
    Item,
    ItemKind,
    ItemStatus,
    Recommendation,
    Tag,
)
from sunflower.lib.demo import DemoContext, DemoStep, register_demo_step

SAMPLE_RATE = 8000
# (title, summary, chord in Hz, seconds): soft chords with a slow swell, like a music bed.
TRACKS = (
    ("音乐放松：海边的清晨", "舒缓的和弦，适合在午休时闭眼聆听。", (220.0, 277.2, 329.6), 8),
    ("音乐放松：林间微风", "轻柔的长音，配合腹式呼吸练习。", (196.0, 246.9, 293.7), 8),
    ("音乐放松：入睡前的十分钟", "低沉平稳的音色，帮助身体慢下来。", (130.8, 164.8, 196.0), 8),
    ("音乐放松：办公室小憩", "短小的放松片段，适合工作间隙。", (261.6, 329.6, 392.0), 6),
)
TRACK_BODY = (
    "找一个安静、不被打扰的地方，坐好或躺下，戴上耳机，把音量调到舒适。\n\n"
    "跟随音乐慢慢吸气、呼气，想象一个让你安心的地方。结束后慢慢睁开眼睛，活动一下手脚。"
    "驾驶或操作设备时请不要收听。"
)
# (instrument, band or "" for any band, tag names): what a result page recommends.
RULES = (
    ("phq9", "", ("情绪", "低落")),
    ("phq9", "moderate", ("求助", "心理咨询")),
    ("phq9", "moderately_severe", ("求助", "热线")),
    ("phq9", "severe", ("求助", "热线")),
    ("gad7", "", ("焦虑", "放松")),
    ("gad7", "moderate", ("心理咨询",)),
    ("gad7", "severe", ("求助", "热线")),
    ("pss10", "", ("压力", "工作压力", "放松")),
    ("who5", "", ("情绪", "运动", "睡眠")),
    ("k10", "", ("情绪", "求助")),
)


def relaxation_wav(chord: tuple[float, ...], seconds: int, seed: int) -> bytes:
    """A soft chord that swells in and fades out, with a little noise: a small mono WAV."""
    rng = random.Random(seed)  # noqa: S311 (a deterministic demo, not a secret)
    frames = bytearray()
    total = SAMPLE_RATE * seconds
    for n in range(total):
        t = n / SAMPLE_RATE
        envelope = math.sin(math.pi * n / total) ** 2
        tone = sum(math.sin(2 * math.pi * f * t + k) for k, f in enumerate(chord)) / len(chord)
        swell = 0.75 + 0.25 * math.sin(2 * math.pi * 0.2 * t)
        sample = 0.35 * envelope * swell * tone + 0.01 * (rng.random() - 0.5)
        frames += struct.pack("<h", int(max(-1.0, min(1.0, sample)) * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def build_knowledge_base(context: DemoContext) -> None:
    rng = random.Random(context.seed + 60)  # noqa: S311 (a deterministic demo, not a secret)
    categories = {
        name: Category.objects.create(name=name, description=description, position=n)
        for n, (name, description) in enumerate(CATEGORIES)
    }
    tags: dict[str, Tag] = {}

    def tagged(names: str | tuple[str, ...]) -> list[Tag]:
        split = names.split("、") if isinstance(names, str) else list(names)
        return [tags.setdefault(n, Tag.objects.get_or_create(name=n)[0]) for n in split]

    made: list[Item] = []
    for n, (title, category, tag_names, summary, body, published) in enumerate(ARTICLES):
        when = context.now - timedelta(days=360 - n * 8, hours=rng.randint(0, 8))
        item = Item.objects.create(
            kind=ItemKind.ARTICLE,
            title=title,
            summary=summary,
            body=body,
            category=categories[category],
            status=ItemStatus.PUBLISHED if published else ItemStatus.DRAFT,
            published_at=when if published else None,
            read_count=rng.randint(20, 900) if published else 0,
        )
        item.tags.set(tagged(tag_names))
        made.append(item)
    for n, (title, summary, chord, seconds) in enumerate(TRACKS):
        item = Item(
            kind=ItemKind.AUDIO,
            title=title,
            summary=summary,
            body=TRACK_BODY,
            category=categories["放松练习"],
            status=ItemStatus.PUBLISHED,
            published_at=context.now - timedelta(days=90 - n * 20),
            read_count=rng.randint(50, 600),
            media_type="audio/wav",
        )
        item.media.save("track.wav", ContentFile(relaxation_wav(chord, seconds, n)), save=False)
        item.save()
        item.tags.set(tagged(("音乐放松", "放松")))
        made.append(item)
    for instrument, band, names in RULES:
        for position, tag in enumerate(tagged(names)):
            Recommendation.objects.create(
                instrument_id=instrument, band_code=band, tag=tag, position=position
            )
    for item in made:
        search.sync(item)
    context.say(f"  知识 knowledge base: {len(made)} items, {len(RULES)} recommendation rules\n")


def delete_knowledge_base() -> None:
    items = list(Item.objects.all())
    search.remove([item.pk for item in items])
    for item in items:
        for stored in (item.media, item.cover):
            if stored and (stored.name or "").startswith("content/"):
                default_storage.delete(stored.name or "")
    Recommendation.objects.all().delete()
    Item.objects.all().delete()
    Tag.objects.all().delete()
    Category.objects.all().delete()


def register() -> None:
    register_demo_step(DemoStep("content", 60, build_knowledge_base, delete_knowledge_base))
