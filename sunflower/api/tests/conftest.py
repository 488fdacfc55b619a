"""Fixtures for the API: the notice and consenting cadres of the assessment tests, and a client
that sends a bearer token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sunflower.accounts.models import User
from sunflower.api import tokens
from sunflower.assessments.tests.conftest import (  # noqa: F401
    consenting,
    notice,
    other_cadre,
    warning_rules,
)


class ApiClient:
    """JSON in and out, with the token of one signed-in device (or none)."""

    def __init__(self, token: str = "") -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1/{path}", params, headers=self._headers())

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else ({} if body is None else body)
        return self.client.post(
            f"/api/v1/{path}", data, content_type="application/json", headers=self._headers()
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1/{path}", headers=self._headers())


def api_as(user: User) -> ApiClient:
    return ApiClient(tokens.issue(user, "test phone").token)


@pytest.fixture
def app(consenting: User) -> ApiClient:  # noqa: F811 (the imported fixture)
    """The consenting cadre's app, signed in."""
    return api_as(consenting)
