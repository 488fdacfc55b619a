"""Security headers on every response (web hardening, 等保 2.0)."""

import pytest
from django.test import Client, override_settings


class SecurityHeadersTestCase:
    @pytest.fixture
    def response(self, db: None) -> object:
        return Client().get("/accounts/login/")

    def test_it_sends_a_strict_content_security_policy(self, response: object) -> None:
        policy = response["Content-Security-Policy"]  # type: ignore[index]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

    def test_it_forbids_framing_and_sniffing(self, response: object) -> None:
        assert response["X-Frame-Options"] == "DENY"  # type: ignore[index]
        assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
        assert response["Referrer-Policy"] == "same-origin"  # type: ignore[index]

    def test_it_marks_session_and_csrf_cookies_http_only_where_possible(self, db: None) -> None:
        from django.conf import settings

        assert settings.SESSION_COOKIE_HTTPONLY
        assert settings.SESSION_COOKIE_SAMESITE == "Lax"

    @override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
    def test_it_sends_hsts_over_https_in_production(self, db: None) -> None:
        response = Client().get("/accounts/login/", secure=True)
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
