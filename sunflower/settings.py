"""The one settings module. Every value comes from the environment; see docs/operations.md.

SUNFLOWER_ENV selects a profile:
- dev  (default): SQLite under var/, secrets generated once and kept under var/.
- test: like dev, used by the test suite.
- prod: every secret must be given; insecure values stop the start-up with a list of problems.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext

from sunflower.lib.config import (
    ENVIRONMENTS,
    LOCAL_MASTER_KEY_PROVIDER,
    ConfigError,
    env_bool,
    env_int,
    env_list,
    production_problems,
    read_or_create_secret,
)

django_stubs_ext.monkeypatch()  # lets type-annotated generics (Field[Model]) run
env = os.environ
BASE_DIR = Path(__file__).resolve().parent.parent
SUNFLOWER_ENV = env.get("SUNFLOWER_ENV", "dev")
if SUNFLOWER_ENV not in ENVIRONMENTS:
    raise ConfigError(f"SUNFLOWER_ENV={SUNFLOWER_ENV!r}: use one of {', '.join(ENVIRONMENTS)}")
PRODUCTION = SUNFLOWER_ENV == "prod"
VAR_DIR = Path(env.get("SUNFLOWER_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool(env, "DEBUG", default=SUNFLOWER_ENV == "dev")

# Master keys (docs/operations.md, "Keys"): the current one from a file or, without a file, from
# SUNFLOWER_MASTER_KEY (base64); earlier ones, still needed until `sunflower keys rotate` has
# re-wrapped every data key, from SUNFLOWER_PREVIOUS_MASTER_KEY_FILES. A KMS adapter replaces
# all three through SUNFLOWER_MASTER_KEY_PROVIDER.
SUNFLOWER_MASTER_KEY_PROVIDER = env.get("SUNFLOWER_MASTER_KEY_PROVIDER", LOCAL_MASTER_KEY_PROVIDER)
SUNFLOWER_MASTER_KEY = env.get("SUNFLOWER_MASTER_KEY", "")
SUNFLOWER_PREVIOUS_MASTER_KEY_FILES = env_list(env, "SUNFLOWER_PREVIOUS_MASTER_KEY_FILES", [])

if PRODUCTION:
    SECRET_KEY = env.get("SECRET_KEY", "")
    SUNFLOWER_MASTER_KEY_FILE = env.get("SUNFLOWER_MASTER_KEY_FILE", "")
    ALLOWED_HOSTS = env_list(env, "ALLOWED_HOSTS", [])
    _problems = production_problems(
        debug=DEBUG,
        secret_key=SECRET_KEY,
        master_key_file=SUNFLOWER_MASTER_KEY_FILE,
        master_key=SUNFLOWER_MASTER_KEY,
        previous_master_key_files=SUNFLOWER_PREVIOUS_MASTER_KEY_FILES,
        local_master_key=SUNFLOWER_MASTER_KEY_PROVIDER == LOCAL_MASTER_KEY_PROVIDER,
        allowed_hosts=ALLOWED_HOSTS,
    )
    if _problems:
        raise ConfigError(
            "Refusing to start in production:\n" + "\n".join(f"  - {p}" for p in _problems)
        )
else:
    SECRET_KEY = env.get("SECRET_KEY") or read_or_create_secret(VAR_DIR / "secret_key", 48)
    SUNFLOWER_MASTER_KEY_FILE = env.get("SUNFLOWER_MASTER_KEY_FILE") or (
        "" if SUNFLOWER_MASTER_KEY else str(VAR_DIR / "master.key")
    )
    if SUNFLOWER_MASTER_KEY_FILE:
        read_or_create_secret(Path(SUNFLOWER_MASTER_KEY_FILE), 32)
    ALLOWED_HOSTS = env_list(
        env, "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
    )

CSRF_TRUSTED_ORIGINS = env_list(env, "CSRF_TRUSTED_ORIGINS", [])

# `sunflower bench submit` starts its own server with this on, adding an unauthenticated
# one-row insert endpoint (sunflower/bench/urls.py). Never anywhere else.
SUNFLOWER_BENCH_ENDPOINTS = env_bool(env, "SUNFLOWER_BENCH_ENDPOINTS", False)
if PRODUCTION and SUNFLOWER_BENCH_ENDPOINTS:
    raise ConfigError("SUNFLOWER_BENCH_ENDPOINTS is for benchmarks only: not in production")

# Which cipher suite protects new ciphertexts: "aes" (AES-256-GCM, SHA-256) or "sm" (SM4-GCM, SM3).
SUNFLOWER_CRYPTO_SUITE = env.get("SUNFLOWER_CRYPTO_SUITE", "aes")
if SUNFLOWER_CRYPTO_SUITE not in ("aes", "sm"):
    raise ConfigError(f"SUNFLOWER_CRYPTO_SUITE={SUNFLOWER_CRYPTO_SUITE!r}: use aes or sm")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",  # the API's own static files (its self-hosted OpenAPI page)
    "sunflower.keystore",
    "sunflower.audit",
    "sunflower.orgs",
    "sunflower.accounts",
    "sunflower.privacy",
    "sunflower.assessments",
    "sunflower.care",
    "sunflower.notifications",
    "sunflower.training",
    "sunflower.content",
    "sunflower.api",
    "sunflower.web",
    "sunflower.bench",
]
if SUNFLOWER_ENV == "test":
    # A person-keyed (T2) model for the crypto-shredding and plaintext tests.
    INSTALLED_APPS.append("sunflower.keystore.tests.sensitive")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sunflower.lib.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sunflower.lib.logging.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Login hardening (ADR 9), in this order: end idle or old sessions, then ask staff for the
    # second factor, then for a new password once theirs has expired.
    "sunflower.accounts.middleware.SessionTimeoutMiddleware",
    "sunflower.accounts.middleware.SecondFactorMiddleware",
    "sunflower.accounts.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sunflower.accounts.lockout.LockoutMiddleware",  # django-axes' own, run synchronously
]

ROOT_URLCONF = "sunflower.urls"
WSGI_APPLICATION = "sunflower.wsgi.application"
ASGI_APPLICATION = "sunflower.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sunflower" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sunflower.web.context.interface",
                "sunflower.notifications.context.unread_messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sunflower.sqlite3'}"),
        conn_max_age=env_int(env, "CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed during a write; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and a statement run more than SUNFLOWER_DB_PREPARE_THRESHOLD
    # times on a connection is prepared there (psycopg), so PostgreSQL plans it once instead of
    # on every request: most of the database's CPU on the submission path (docs/performance.md).
    # Set it to -1 behind a pooler that cannot keep prepared statements (PgBouncer in
    # transaction mode without max_prepared_statements). Server-bound, a statement carries at
    # most 65,535 parameters: bulk writes here are batched well below (500–2,000 rows).
    # Options given in DATABASE_URL (sslmode=…) are kept.
    _prepare_threshold = env_int(env, "SUNFLOWER_DB_PREPARE_THRESHOLD", 5)
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": None if _prepare_threshold < 0 else _prepare_threshold,
        **DATABASES["default"].get("OPTIONS", {}),
    }
if SUNFLOWER_ENV == "test":
    # A file, not memory, so that CLI subprocesses in tests can share the test database;
    # SUNFLOWER_TEST_DB_NAME keeps concurrent runs on one PostgreSQL server apart.
    _is_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    DATABASES["default"]["TEST"] = {
        "NAME": env.get("SUNFLOWER_TEST_DB_NAME")
        or (str(VAR_DIR / "test-db.sqlite3") if _is_sqlite else "test_sunflower")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The canonical base of this deployment's FHIR resources (Questionnaire.url and the
# QuestionnaireResponse.questionnaire reference); a placeholder until the city names one.
SUNFLOWER_FHIR_BASE_URL = env.get("SUNFLOWER_FHIR_BASE_URL", "")

# Aggregates: no number derived from fewer than this many people is shown (DESIGN.md §4 rule 4).
SUNFLOWER_MIN_CELL = env_int(env, "SUNFLOWER_MIN_CELL", 10)
if SUNFLOWER_MIN_CELL < 5:
    raise ConfigError(f"SUNFLOWER_MIN_CELL={SUNFLOWER_MIN_CELL}: never below 5")

# Crisis service levels (DESIGN.md §5, ADR 13): minutes to the first contact with the person
# after a case opens, and days between contacts in follow-up, per tier.
SUNFLOWER_CARE_FIRST_CONTACT_MINUTES = {
    "red": env_int(env, "SUNFLOWER_CARE_RED_FIRST_CONTACT_MINUTES", 60),
    "orange": env_int(env, "SUNFLOWER_CARE_ORANGE_FIRST_CONTACT_MINUTES", 24 * 60),
    "yellow": env_int(env, "SUNFLOWER_CARE_YELLOW_FIRST_CONTACT_MINUTES", 72 * 60),
}
SUNFLOWER_CARE_FOLLOW_UP_DAYS = {
    "red": env_int(env, "SUNFLOWER_CARE_RED_FOLLOW_UP_DAYS", 7),
    "orange": env_int(env, "SUNFLOWER_CARE_ORANGE_FOLLOW_UP_DAYS", 14),
    "yellow": env_int(env, "SUNFLOWER_CARE_YELLOW_FOLLOW_UP_DAYS", 30),
}
for _tier, _value in [
    *SUNFLOWER_CARE_FIRST_CONTACT_MINUTES.items(),
    *SUNFLOWER_CARE_FOLLOW_UP_DAYS.items(),
]:
    if _value < 1:
        raise ConfigError(f"care service level for {_tier} must be at least 1")

# Training (issue 6): a QR check-in this many minutes after the start is marked late; reminders
# of the half-yearly requirement go out this many weeks before the half year ends.
SUNFLOWER_TRAINING_LATE_MINUTES = env_int(env, "SUNFLOWER_TRAINING_LATE_MINUTES", 10)
SUNFLOWER_TRAINING_REMINDER_WEEKS = env_int(env, "SUNFLOWER_TRAINING_REMINDER_WEEKS", 4)
if SUNFLOWER_TRAINING_LATE_MINUTES < 0 or not 1 <= SUNFLOWER_TRAINING_REMINDER_WEEKS <= 26:
    raise ConfigError("training: late minutes ≥ 0, reminder weeks between 1 and 26")

# Background tasks (ADR 2): SQLite-backed when embedded, Redis-backed in production so that any
# number of worker processes share one queue. Tests run tasks in-process as they are enqueued.
HUEY = {
    "name": "sunflower",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": env_bool(env, "SUNFLOWER_TASKS_IMMEDIATE", SUNFLOWER_ENV == "test"),
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(VAR_DIR / "tasks.sqlite3")},
    "consumer": {"workers": env_int(env, "SUNFLOWER_TASK_WORKERS", 2), "worker_type": "thread"},
}

# Notifications (ADR 12): the inbox is always on. E-mail goes through Django's backend: SMTP
# when EMAIL_HOST is set, the console outside production otherwise (tests use locmem). SMS and
# WeChat post JSON to a gateway URL with a bearer token; without one, a console adapter that
# logs only the neutral text stands in outside production, and the channel is off in production.
EMAIL_HOST = env.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int(env, "EMAIL_PORT", 465)
    EMAIL_HOST_USER = env.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = env_bool(env, "EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_USE_TLS = env_bool(env, "EMAIL_USE_TLS", not EMAIL_USE_SSL)
    if EMAIL_USE_SSL and EMAIL_USE_TLS:
        raise ConfigError("EMAIL_USE_SSL and EMAIL_USE_TLS: choose one")
    EMAIL_TIMEOUT = env_int(env, "EMAIL_TIMEOUT", 10)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "向阳花 <noreply@localhost>")
SUNFLOWER_EMAIL_NOTIFICATIONS = env_bool(
    env, "SUNFLOWER_EMAIL_NOTIFICATIONS", bool(EMAIL_HOST) or not PRODUCTION
)
SUNFLOWER_NOTIFY_CONSOLE = not PRODUCTION
SUNFLOWER_SMS_URL = env.get("SUNFLOWER_SMS_URL", "")
SUNFLOWER_SMS_TOKEN = env.get("SUNFLOWER_SMS_TOKEN", "")
SUNFLOWER_SMS_ADAPTER = env.get("SUNFLOWER_SMS_ADAPTER", "")
SUNFLOWER_WECHAT_URL = env.get("SUNFLOWER_WECHAT_URL", "")
SUNFLOWER_WECHAT_TOKEN = env.get("SUNFLOWER_WECHAT_TOKEN", "")
SUNFLOWER_WECHAT_ADAPTER = env.get("SUNFLOWER_WECHAT_ADAPTER", "")
for _name in ("SUNFLOWER_SMS_URL", "SUNFLOWER_WECHAT_URL"):
    if globals()[_name] and not globals()[_name].startswith(("https://", "http://")):
        raise ConfigError(f"{_name} must be an http:// or https:// URL")

AUTH_USER_MODEL = "accounts.User"
# The lockout backend comes first: it refuses a locked account or address before any password
# is checked (django-axes, ADR 9).
AUTHENTICATION_BACKENDS = [
    "sunflower.accounts.backends.LockoutBackend",
    "sunflower.accounts.backends.IdentifierBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "sunflower.accounts.validators.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "sunflower.accounts.validators.PasswordHistoryValidator"},
]

# Login hardening (等保 2.0 level 3; docs/security.md, ADR 9). Every value from the environment.
SUNFLOWER_LOCKOUT_FAILURES = env_int(env, "SUNFLOWER_LOCKOUT_FAILURES", 5)
SUNFLOWER_LOCKOUT_MINUTES = env_int(env, "SUNFLOWER_LOCKOUT_MINUTES", 10)
# Behind a shared NAT one address stands for many people; turning this off keeps the lockout
# per account only.
SUNFLOWER_LOCKOUT_BY_ADDRESS = env_bool(env, "SUNFLOWER_LOCKOUT_BY_ADDRESS", True)
# How many reverse proxies append to X-Forwarded-For in front of the application (0: none, the
# peer address is the client's). Wrong here means lockouts and audit entries by the proxy's
# address, or by an address the client chose.
SUNFLOWER_PROXY_COUNT = env_int(env, "SUNFLOWER_PROXY_COUNT", 0)
SUNFLOWER_PASSWORD_HISTORY = env_int(env, "SUNFLOWER_PASSWORD_HISTORY", 5)
# Days a password lasts: staff roles, and cadres (0: never expires).
SUNFLOWER_PASSWORD_MAX_AGE_DAYS = env_int(env, "SUNFLOWER_PASSWORD_MAX_AGE_DAYS", 90)
SUNFLOWER_CADRE_PASSWORD_MAX_AGE_DAYS = env_int(env, "SUNFLOWER_CADRE_PASSWORD_MAX_AGE_DAYS", 0)
SUNFLOWER_IDLE_MINUTES_STAFF = env_int(env, "SUNFLOWER_IDLE_MINUTES_STAFF", 15)
SUNFLOWER_IDLE_MINUTES_CADRE = env_int(env, "SUNFLOWER_IDLE_MINUTES_CADRE", 30)
SUNFLOWER_SESSION_MAX_HOURS = env_int(env, "SUNFLOWER_SESSION_MAX_HOURS", 8)
# The app's access tokens (api/tokens.py): absolute lifetime and idle limit, in hours.
SUNFLOWER_API_TOKEN_HOURS = env_int(env, "SUNFLOWER_API_TOKEN_HOURS", 7 * 24)
SUNFLOWER_API_TOKEN_IDLE_HOURS = env_int(env, "SUNFLOWER_API_TOKEN_IDLE_HOURS", 24)
# Requests per account through the API ("number/s", "/m", "/h"; per process with the local
# cache, shared across processes with Redis).
SUNFLOWER_API_RATE = env.get("SUNFLOWER_API_RATE", "120/m")
for _name in (
    "SUNFLOWER_LOCKOUT_FAILURES",
    "SUNFLOWER_LOCKOUT_MINUTES",
    "SUNFLOWER_PASSWORD_HISTORY",
    "SUNFLOWER_IDLE_MINUTES_STAFF",
    "SUNFLOWER_IDLE_MINUTES_CADRE",
    "SUNFLOWER_SESSION_MAX_HOURS",
    "SUNFLOWER_API_TOKEN_HOURS",
    "SUNFLOWER_API_TOKEN_IDLE_HOURS",
):
    if globals()[_name] < 1:
        raise ConfigError(f"{_name} must be at least 1")
for _name in (
    "SUNFLOWER_PROXY_COUNT",
    "SUNFLOWER_PASSWORD_MAX_AGE_DAYS",
    "SUNFLOWER_CADRE_PASSWORD_MAX_AGE_DAYS",
):
    if globals()[_name] < 0:
        raise ConfigError(f"{_name} must not be negative")

# django-axes counts failures per account and per source address. It keeps the login name and
# the address of recent failures only (AccessAttempt, deleted after the cool-off); its success
# log is off because accounts.LoginEvent is the login history.
AXES_FAILURE_LIMIT = SUNFLOWER_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=SUNFLOWER_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = (
    ["username", "ip_address"] if SUNFLOWER_LOCKOUT_BY_ADDRESS else ["username"]
)
AXES_USERNAME_CALLABLE = "sunflower.accounts.lockout.login_name"
AXES_CLIENT_IP_CALLABLE = "sunflower.audit.events.client_ip"
AXES_LOCKOUT_CALLABLE = "sunflower.accounts.lockout.lockout_response"
# A lock lasts the cool-off from the failure that set it; tries while locked neither count nor
# extend it. A success does not wipe the address's count (that would let an attacker reset it
# by signing in to an account of their own).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
AXES_VERBOSE = False
# axes.W002 looks for its middleware by name; ours is a subclass (accounts/lockout.py).
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

OTP_TOTP_ISSUER = "向阳花"

# Django's database sessions; only the per-request read is compiled once (accounts/sessions.py).
SESSION_ENGINE = "sunflower.accounts.sessions"
SESSION_COOKIE_AGE = env_int(env, "SESSION_COOKIE_AGE", SUNFLOWER_SESSION_MAX_HOURS * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_HSTS_SECONDS = env_int(env, "SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool(env, "SECURE_SSL_REDIRECT", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "sunflower" / "locale"]
TIME_ZONE = env.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Collected files are served by WhiteNoise in production; dev and tests serve from the finders.
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "sunflower" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded lesson media. Not served under a public URL (there is no MEDIA_URL route): the
# training app streams each file through an access-checked view.
MEDIA_ROOT = Path(env.get("SUNFLOWER_MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = not PRODUCTION

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest roster or attendance file accepted, in bytes (50,000 rows of xlsx is about 3 MB).
SUNFLOWER_MAX_IMPORT_BYTES = env_int(env, "SUNFLOWER_MAX_IMPORT_BYTES", 20 * 1024 * 1024)
# Largest lesson video or audio file accepted, in bytes (a reverse proxy needs as much).
SUNFLOWER_MAX_LESSON_BYTES = env_int(env, "SUNFLOWER_MAX_LESSON_BYTES", 500 * 1024 * 1024)

# Audit entries are kept this long (Cybersecurity Law Art. 21 requires at least 183 days).
SUNFLOWER_AUDIT_RETENTION_DAYS = env_int(env, "SUNFLOWER_AUDIT_RETENTION_DAYS", 3 * 365)
if SUNFLOWER_AUDIT_RETENTION_DAYS < 183:
    raise ConfigError("SUNFLOWER_AUDIT_RETENTION_DAYS must be at least 183 (six months)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "sunflower.lib.logging.JsonFormatter"}},
    "filters": {"redact": {"()": "sunflower.lib.logging.RedactFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own request logger repeats what RequestLogMiddleware records, with the URL.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # django-axes notes every login at INFO; failures and lockouts come at WARNING.
        "axes": {"level": "WARNING"},
    },
}

# Demo logins are printed by `make run` and shown on the login page only in dev.
SUNFLOWER_SHOW_DEMO_LOGINS = env_bool(env, "SUNFLOWER_SHOW_DEMO_LOGINS", SUNFLOWER_ENV == "dev")
