"""Structured (JSON) logs that carry no personal data.

Request logs name the route pattern, not the concrete URL, and the user's opaque id, never a
name, phone or ID number. A redacting filter masks anything shaped like a mobile or a citizen
ID number that slips into a message anyway.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

ID_NUMBER_RE = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[0-9]{7}[0-9Xx](?![0-9])")
MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

request_log = logging.getLogger("sunflower.request")


def redact(text: str) -> str:
    return MOBILE_RE.sub("[mobile]", ID_NUMBER_RE.sub("[id-number]", text))


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """One line per request: method, route pattern, status, duration, opaque user id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "route": match.route if match else "(unresolved)",
                "view": match.view_name if match else "",
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user": str(user.pk) if user is not None and user.is_authenticated else None,
            },
        )
        return response
