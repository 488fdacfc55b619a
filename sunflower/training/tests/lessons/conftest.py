"""Fixtures for the online-lesson tests (samples_lessons.py): admins of districts A and B, a
published online course of district A's plan and a published 100-second lesson in it."""

from sunflower.training.tests.samples_lessons import admin_a, admin_b, course, lesson  # noqa: F401
