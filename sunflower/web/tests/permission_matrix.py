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
EVERYONE = {"*": OK}
SIGNED_IN = {"anonymous": LOGIN, "*": OK}

# name: (method, expectations)
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    "web:home": ("get", SIGNED_IN),
    "web:healthz": ("get", EVERYONE),
    "web:preferences": ("post", EVERYONE),
    "set_language": ("post", EVERYONE),
    "web:portal": ("get", CADRE_ONLY),
    "web:portal-assessments": ("get", CADRE_ONLY),
    "web:portal-learn": ("get", CADRE_ONLY),
    "web:portal-services": ("get", CADRE_ONLY),
    "web:portal-me": ("get", CADRE_ONLY),
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
    # Campaigns: the programme admin's console; counts only, never individuals.
    "campaigns:list": ("get", PROGRAMME),
    "campaigns:create": ("get", PROGRAMME),
    "campaigns:detail": ("get", PROGRAMME),
    "campaigns:open": ("post", PROGRAMME),
    "privacy:deletion-requests": ("get", {"anonymous": LOGIN, "record_keeper": OK, "*": DENY}),
    "privacy:deletion-detail": ("get", {"anonymous": LOGIN, "record_keeper": OK, "*": DENY}),
    # The record keeper's decision is first sent to re-authenticate (a redirect, OK here).
    "privacy:deletion-decide": ("post", {"anonymous": LOGIN, "record_keeper": OK, "*": DENY}),
}


def expected(name: str, role: str) -> str:
    rules = MATRIX[name][1]
    return rules.get(role, rules.get("*", DENY))
