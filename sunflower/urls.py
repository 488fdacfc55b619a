from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language

from sunflower.accounts.urls import console_patterns as console_account_patterns
from sunflower.api.api import api

urlpatterns = [
    path("", include("sunflower.web.urls")),
    path("m/assessments/", include("sunflower.assessments.urls")),
    path("accounts/", include("sunflower.accounts.urls")),
    path("console/accounts/", include(console_account_patterns)),
    path("console/roster/", include("sunflower.orgs.urls")),
    path("", include("sunflower.privacy.urls")),
    path("console/audit/", include("sunflower.audit.urls")),
    path("console/campaigns/", include("sunflower.assessments.urls_campaigns")),
    path("", include("sunflower.notifications.urls")),
    path("console/care/", include("sunflower.care.urls")),
    path("m/care/", include("sunflower.care.urls_portal")),
    path("console/results/", include("sunflower.assessments.urls_records")),
    path("console/instruments/", include("sunflower.assessments.urls_instruments")),
    path("console/warning-rules/", include("sunflower.assessments.urls_warning_rules")),
    path("", include("sunflower.training.urls_lessons")),
    path("m/knowledge/", include("sunflower.content.urls")),
    path("console/content/", include("sunflower.content.urls_console")),
    path("console/training/", include("sunflower.training.urls")),
    path("m/training/", include("sunflower.training.urls_portal")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
]

if settings.SUNFLOWER_BENCH_ENDPOINTS:
    # `sunflower bench submit` only: a server it starts itself sets the variable.
    urlpatterns.append(path("bench/", include("sunflower.bench.urls")))
