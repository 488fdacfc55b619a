"""Who may open what: every URL of the site against every role.

One row per URL name. Each row maps a role to the expected outcome; "*" is every role not
named. A URL missing from this table fails the matrix test, so a new view cannot be forgotten.

Outcomes:
  OK     the page answers (2xx, or a redirect that is not to the login page)
  LOGIN  an anonymous visitor is sent to the login page
  DENY   403 or 404 (404 is how objects outside scope answer)
"""

OK, LOGIN, DENY = "ok", "login", "deny"

ROLES = (
    "anonymous",
    "cadre",
    "liaison",
    "programme_admin",
    "record_keeper",
    "counsellor",
    "talk_officer",
    "volunteer",
    "leader",
    "system_admin",
    "security_admin",
    "audit_admin",
)
STAFF = ROLES[2:]
ROSTER = {"anonymous": LOGIN, "liaison": OK, "programme_admin": OK, "*": DENY}
AUDIT = {"anonymous": LOGIN, "audit_admin": OK, "*": DENY}
CADRE_ONLY = {"anonymous": LOGIN, "cadre": OK, "*": DENY}
PROGRAMME = {"anonymous": LOGIN, "programme_admin": OK, "*": DENY}
RECORDS = {"anonymous": LOGIN, "record_keeper": OK, "*": DENY}
CARE_RAISERS = {"anonymous": LOGIN, "counsellor": OK, "talk_officer": OK, "*": DENY}
CARE_CASES = {"anonymous": LOGIN, "record_keeper": OK, "counsellor": OK, "*": DENY}
TALKERS = {"anonymous": LOGIN, "talk_officer": OK, "*": DENY}
TALK_READERS = {"anonymous": LOGIN, "record_keeper": OK, "talk_officer": OK, "*": DENY}
TALK_ASSIGNERS = {"anonymous": LOGIN, "record_keeper": OK, "programme_admin": OK, "*": DENY}
RULE_READERS = {"anonymous": LOGIN, "record_keeper": OK, "programme_admin": OK, "*": DENY}
TALK_COUNTS = {"anonymous": LOGIN, "liaison": OK, "programme_admin": OK, "leader": OK, "*": DENY}
EVERYONE = {"*": OK}
SIGNED_IN = {"anonymous": LOGIN, "*": OK}

# name: (method, expectations)
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    # The app's API (api/): a bearer token instead of a session, for cadres only; without a
    # token 401, which the matrix test counts as LOGIN; a staff account's token 403.
    "api:api-root": ("get", {"*": DENY}),  # no document at the bare root: 404 for all
    "api:openapi-json": ("get", EVERYONE),
    "api:openapi-view": ("get", EVERYONE),
    "api:issue_token": ("post", EVERYONE),
    "api:revoke_token": ("delete", CADRE_ONLY),
    "api:me": ("get", CADRE_ONLY),
    "api:give_consent": ("post", CADRE_ONLY),
    "api:instrument_list": ("get", CADRE_ONLY),
    "api:instrument_detail": ("get", CADRE_ONLY),
    "api:submit": ("post", CADRE_ONLY),
    "api:history": ("get", CADRE_ONLY),
    "api:result": ("get", CADRE_ONLY),
    "web:home": ("get", SIGNED_IN),
    "web:healthz": ("get", EVERYONE),
    "web:preferences": ("post", EVERYONE),
    "set_language": ("post", EVERYONE),
    "web:portal": ("get", CADRE_ONLY),
    "web:portal-assessments": ("get", CADRE_ONLY),
    "web:portal-learn": ("get", CADRE_ONLY),
    "web:portal-services": ("get", CADRE_ONLY),
    "web:portal-me": ("get", CADRE_ONLY),
    # Knowledge content is T0: any signed-in person reads published items; programme admins edit.
    "content:home": ("get", SIGNED_IN),
    "content:search": ("get", SIGNED_IN),
    "content:category": ("get", SIGNED_IN),
    "content:item": ("get", SIGNED_IN),
    "content:cover": ("get", SIGNED_IN),
    "content:media": ("get", SIGNED_IN),
    "content-admin:list": ("get", PROGRAMME),
    "content-admin:create": ("get", PROGRAMME),
    "content-admin:edit": ("get", PROGRAMME),
    "content-admin:publish": ("post", PROGRAMME),
    "content-admin:unpublish": ("post", PROGRAMME),
    "content-admin:delete": ("post", PROGRAMME),
    "content-admin:recommendations": ("get", PROGRAMME),
    "content-admin:recommendation-add": ("get", PROGRAMME),
    "content-admin:recommendation-delete": ("get", PROGRAMME),  # the confirmation page
    "web:console": ("get", {"anonymous": LOGIN, "cadre": DENY, "*": OK}),
    "accounts:login": ("get", EVERYONE),
    "accounts:logout": ("post", {"*": LOGIN}),  # everyone is sent back to the login page
    "accounts:password-change": ("get", SIGNED_IN),
    "accounts:password-changed": ("get", SIGNED_IN),
    "accounts:sudo": ("get", SIGNED_IN),
    "accounts:login-history": ("get", SIGNED_IN),  # each sees only their own
    "accounts:mfa": ("get", SIGNED_IN),
    "accounts:mfa-enrol": ("get", SIGNED_IN),  # replacing a device first asks for sudo
    "accounts:mfa-verify": ("get", SIGNED_IN),
    "accounts:mfa-recovery-codes": ("post", SIGNED_IN),  # sends to re-authenticate first
    # Staff may not turn the second factor off; a cadre is first sent to re-authenticate.
    "accounts:mfa-disable": ("post", CADRE_ONLY),
    "accounts-admin:user-list": (
        "get",
        {"anonymous": LOGIN, "security_admin": OK, "system_admin": OK, "*": DENY},
    ),
    "accounts-admin:user-roles": (
        "get",
        {"anonymous": LOGIN, "security_admin": OK, "system_admin": OK, "*": DENY},
    ),
    # POSTs by the security admin are first sent to re-authenticate (a redirect, OK here).
    "accounts-admin:role-grant": ("post", {"anonymous": LOGIN, "security_admin": OK, "*": DENY}),
    "accounts-admin:role-revoke": ("post", {"anonymous": LOGIN, "security_admin": OK, "*": DENY}),
    "accounts-admin:mfa-reset": ("post", {"anonymous": LOGIN, "security_admin": OK, "*": DENY}),
    "audit:event-list": ("get", AUDIT),
    "audit:export-csv": ("get", AUDIT),  # the audit admin is sent to re-authenticate first
    "audit:export-xlsx": ("get", AUDIT),
    "audit:verify": ("post", AUDIT),
    "orgs:person-list": ("get", ROSTER),
    "orgs:person-create": ("get", ROSTER),
    "orgs:person-edit": ("get", ROSTER),
    "orgs:person-transfer": ("get", ROSTER),
    "orgs:person-leave": ("get", ROSTER),
    "orgs:unit-list": ("get", ROSTER),
    "orgs:import": ("get", ROSTER),
    "orgs:import-template": ("get", ROSTER),
    "orgs:import-review": ("get", ROSTER),
    "orgs:export": ("get", ROSTER),
    # Consent and the person's rights: the cadre's own pages; downloads first ask for sudo.
    "privacy:overview": ("get", CADRE_ONLY),
    "privacy:consent": ("get", CADRE_ONLY),
    "privacy:withdraw": ("get", CADRE_ONLY),
    "privacy:request-deletion": ("get", CADRE_ONLY),
    "privacy:export-json": ("get", CADRE_ONLY),
    "privacy:export-pdf": ("get", CADRE_ONLY),
    # Self-assessment: the cadre's own pages; another person's response answers 404.
    "assessments:intro": ("get", CADRE_ONLY),
    "assessments:page": ("get", CADRE_ONLY),
    "assessments:result": ("get", CADRE_ONLY),
    "assessments:history": ("get", CADRE_ONLY),
    "assessments:report-pdf": ("get", CADRE_ONLY),
    "assessments:fhir": ("get", CADRE_ONLY),
    # Campaigns: the programme admin's console; counts only, never individuals.
    "campaigns:list": ("get", PROGRAMME),
    "campaigns:create": ("get", PROGRAMME),
    "campaigns:detail": ("get", PROGRAMME),
    "campaigns:open": ("post", PROGRAMME),
    # The instrument library (T0 definitions) for staff; an upload first asks to
    # re-authenticate, and only a city-wide programme admin may make one.
    "instruments:list": ("get", {"anonymous": LOGIN, "cadre": DENY, "*": OK}),
    "instruments:upload": ("get", PROGRAMME),
    "instruments:questionnaire": ("get", {"anonymous": LOGIN, "cadre": DENY, "*": OK}),
    # Warning tier rules are T0: record keepers and programme admins read; only city-wide
    # programme admins change them, and are first sent to re-authenticate (a redirect, OK).
    "warning-rules:list": ("get", RULE_READERS),
    "warning-rules:create": ("get", PROGRAMME),
    "warning-rules:edit": ("get", PROGRAMME),
    "warning-rules:deactivate": ("get", PROGRAMME),
    "warning-rules:activate": ("get", PROGRAMME),
    # The record keeper's campaign results; exports and decisions first ask for sudo (OK here).
    "results:list": ("get", RECORDS),
    "results:detail": ("get", RECORDS),
    "results:pdf": ("get", RECORDS),
    "results:fhir": ("get", RECORDS),
    "results:exports": ("get", RECORDS),
    "results:export-create": ("get", RECORDS),
    "results:export-detail": ("get", RECORDS),
    "results:export-decide": ("post", RECORDS),
    "results:export-download": ("get", RECORDS),
    # Instrument definitions as FHIR Questionnaires (T0), for any staff member.
    # Care (issue 5): the record keeper's warnings, cases, duty roster and explanation
    # requests; a case also opens to its assignee (not the city-wide counsellor here: 404).
    "care:warning-list": ("get", RECORDS),
    "care:warning-detail": ("get", RECORDS),
    "care:warning-review": ("post", RECORDS),
    "care:warning-raise": ("get", CARE_RAISERS),
    "care:warning-raise-for": ("get", CARE_RAISERS),
    "care:case-list": ("get", CARE_CASES),
    "care:case-detail": ("get", RECORDS),
    "care:case-transition": ("post", RECORDS),
    "care:case-action": ("post", RECORDS),
    "care:case-safety-plan": ("post", RECORDS),
    "care:case-assign": ("post", RECORDS),
    "care:duty": ("get", RECORDS),
    "care:duty-remove": ("post", RECORDS),
    "care:record-search": ("get", RECORDS),
    "care:record": ("get", RECORDS),  # in scope; outside it only through break-glass
    # The record keeper is first sent to re-authenticate (a redirect, OK here).
    "care:break-glass": ("get", RECORDS),
    "care:break-glass-list": (
        "get",
        {"anonymous": LOGIN, "record_keeper": OK, "audit_admin": OK, "*": DENY},
    ),
    "care:explanation-list": ("get", RECORDS),
    "care:explanation-detail": ("get", RECORDS),
    # Talks, visits and key attention: notes only to the talk officer who recorded them (while
    # assigned; the matrix's officer is assigned to the sample cadre) and the record keeper in
    # scope; assignments by record keepers and programme admins; counts (suppressed) for admins.
    "care:talk-cadres": ("get", TALKERS),
    "care:talk-create": ("get", TALKERS),
    "care:visit-create": ("get", TALKERS),
    "care:talk-detail": ("get", TALK_READERS),
    "care:visit-detail": ("get", TALK_READERS),
    "care:talk-person": ("get", TALK_READERS),
    "care:talk-records": ("get", RECORDS),
    "care:talk-assignments": ("get", TALK_ASSIGNERS),
    "care:talk-assign": ("get", TALK_ASSIGNERS),
    "care:talk-assignment-end": ("post", TALK_ASSIGNERS),
    "care:talk-counts": ("get", TALK_COUNTS),
    "care:attention-list": ("get", TALK_READERS),
    "care:attention-find": ("get", TALK_READERS),
    "care:attention-create": ("get", TALK_READERS),
    "care:attention-detail": ("get", TALK_READERS),
    "care:attention-plan": ("post", RECORDS),
    "care:attention-exit": ("get", RECORDS),
    "care-portal:explain": ("get", CADRE_ONLY),
    "care-portal:explanations": ("get", CADRE_ONLY),
    # Notifications: each user's own inbox; another user's message answers 404.
    "notifications:inbox": ("get", CADRE_ONLY),
    "notifications:console-inbox": ("get", {"anonymous": LOGIN, "cadre": DENY, "*": OK}),
    "notifications:open": ("get", CADRE_ONLY),  # the sample message is the cadre's
    "notifications:read": ("post", CADRE_ONLY),
    "notifications:read-all": ("post", SIGNED_IN),
    "notifications:preferences": ("get", SIGNED_IN),
    "privacy:deletion-requests": ("get", {"anonymous": LOGIN, "record_keeper": OK, "*": DENY}),
    "privacy:deletion-detail": ("get", {"anonymous": LOGIN, "record_keeper": OK, "*": DENY}),
    # The record keeper's decision is first sent to re-authenticate (a redirect, OK here).
    "privacy:deletion-decide": ("post", {"anonymous": LOGIN, "record_keeper": OK, "*": DENY}),
    # Training (issue 6): programme admins manage plans, courses and sessions in scope; liaisons
    # and programme admins run the sessions reaching their scope (QR code, roll, import) and
    # see compliance; cadres enrol, check in and download their certificates.
    "training:plan-list": ("get", PROGRAMME),
    "training:plan-create": ("get", PROGRAMME),
    "training:plan-detail": ("get", PROGRAMME),
    "training:plan-edit": ("get", PROGRAMME),
    "training:course-create": ("get", PROGRAMME),
    "training:course-detail": ("get", PROGRAMME),
    "training:course-edit": ("get", PROGRAMME),
    "training:course-publish": ("post", PROGRAMME),
    "training:session-create": ("get", PROGRAMME),
    "training:session-edit": ("get", PROGRAMME),
    "training:session-cancel": ("get", PROGRAMME),
    "training:session-list": ("get", ROSTER),
    "training:session-detail": ("get", ROSTER),
    "training:session-enrol": ("post", ROSTER),
    "training:enrolment-cancel": ("post", ROSTER),
    "training:session-qr": ("get", ROSTER),
    "training:session-qr-code": ("get", ROSTER),
    "training:session-roll": ("get", ROSTER),
    "training:session-import": ("get", ROSTER),
    "training:attendance-template": ("get", ROSTER),
    "training:compliance": ("get", ROSTER),
    "training:non-compliant": ("get", ROSTER),
    "training:non-compliant-export": ("get", ROSTER),
    "training-portal:sessions": ("get", CADRE_ONLY),
    "training-portal:session": ("get", CADRE_ONLY),
    "training-portal:enrol": ("post", CADRE_ONLY),
    "training-portal:cancel": ("post", CADRE_ONLY),
    "training-portal:checkin": ("get", CADRE_ONLY),
    "training-portal:record": ("get", CADRE_ONLY),
    "training-portal:certificate": ("get", CADRE_ONLY),
    "training-portal:lesson-certificate": ("get", CADRE_ONLY),
    # Online lessons (issue 6): the programme admin manages them in scope; the cadre in the
    # plan's units learns; the media stream opens to both (the sample lesson is published).
    "lessons:admin-courses": ("get", PROGRAMME),
    "lessons:admin-list": ("get", PROGRAMME),
    "lessons:admin-create": ("get", PROGRAMME),
    "lessons:admin-edit": ("get", PROGRAMME),
    "lessons:admin-publish": ("post", PROGRAMME),
    "lessons:admin-quiz": ("get", PROGRAMME),
    "lessons:admin-quiz-remove": ("post", PROGRAMME),
    "lessons:media": ("get", {"anonymous": LOGIN, "cadre": OK, "programme_admin": OK, "*": DENY}),
    "lessons:course": ("get", CADRE_ONLY),
    "lessons:lesson": ("get", CADRE_ONLY),
    "lessons:heartbeat": ("post", CADRE_ONLY),
    "lessons:quiz": ("post", CADRE_ONLY),
    "lessons:my-progress": ("get", CADRE_ONLY),
}


def expected(name: str, role: str) -> str:
    rules = MATRIX[name][1]
    return rules.get(role, rules.get("*", DENY))
