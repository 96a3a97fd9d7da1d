"""The login page: plain server-rendered HTML (autoescaped Jinja), no script at all."""

from __future__ import annotations

import math
from collections.abc import Sequence

from flask import render_template_string

from dashboard.auth.roles import role_label

TEXT = {
    "sv": {
        "title": "Logga in – Infosäk",
        "heading": "Logga in",
        "lead": "Informationssäkerhetsarbetet i kommunen",
        "username": "Användarnamn",
        "password": "Lösenord",
        "submit": "Logga in",
        "bad_credentials": "Fel användarnamn eller lösenord.",
        "throttled": (
            "För många misslyckade inloggningar. Försök igen om {wait}, "
            "eller kontakta informationssäkerhetssamordnaren."
        ),
        "second": "1 sekund",
        "seconds": "{n} sekunder",
        "minutes": "{n} minuter",
        "bad_form": "Formuläret hade gått ut. Försök igen.",
        "bad_input": "Användarnamnet innehåller otillåtna tecken.",
        "timeout": "Du loggades ut efter {minutes} minuter utan aktivitet. Logga in igen.",
        "logged_out": "Du är utloggad.",
        "oidc_button": "Logga in med organisationskonto",
        "oidc_or": "eller med användarnamn och lösenord:",
        "oidc_denied": (
            "Ditt organisationskonto har ingen behörighet till Infosäk (ingen av dina grupper är "
            "kopplad till en roll). Kontakta informationssäkerhetssamordnaren om du behöver åtkomst."
        ),
        "oidc_conflict": (
            "Det finns redan ett lokalt konto med samma namn som ditt organisationskonto. "
            "Kontakta administratören."
        ),
        "oidc_failed": "Inloggningen med organisationskonto misslyckades. Försök igen.",
        "oidc_unavailable": (
            "Inloggningstjänsten för organisationskonton svarar inte just nu. Försök igen om en "
            "stund."
        ),
        "demo_banner": "Demoläge – påhittade uppgifter för Askersund och Sydnärke.",
        "demo_heading": "Demokonton",
        "demo_lead": "Alla demokonton har lösenordet",
        "demo_user": "Användarnamn",
        "demo_role": "Roll",
        "demo_scope": "Omfattning",
        "all": "Allt",
        "statement": "Tillgänglighetsredogörelse",
        "other_language": "English",
        "other_lang": "en",
    },
    "en": {
        "title": "Log in – Infosäk",
        "heading": "Log in",
        "lead": "The municipality's information-security work",
        "username": "User name",
        "password": "Password",
        "submit": "Log in",
        "bad_credentials": "Wrong user name or password.",
        "throttled": (
            "Too many failed logins. Try again in {wait}, or contact the information "
            "security coordinator."
        ),
        "second": "1 second",
        "seconds": "{n} seconds",
        "minutes": "{n} minutes",
        "bad_form": "The form had expired. Please try again.",
        "bad_input": "The user name contains characters that are not allowed.",
        "timeout": "You were logged out after {minutes} minutes without activity. Log in again.",
        "logged_out": "You are logged out.",
        "oidc_button": "Log in with your organisation account",
        "oidc_or": "or with user name and password:",
        "oidc_denied": (
            "Your organisation account has no access to Infosäk (none of your groups is mapped to "
            "a role). Contact the information security coordinator if you need access."
        ),
        "oidc_conflict": (
            "A local account has the same name as your organisation account. Contact the "
            "administrator."
        ),
        "oidc_failed": "Logging in with your organisation account failed. Please try again.",
        "oidc_unavailable": (
            "The sign-in service for organisation accounts is not answering. Try again shortly."
        ),
        "demo_banner": "Demo mode – fictional data for Askersund and Sydnärke.",
        "demo_heading": "Demo accounts",
        "demo_lead": "Every demo account has the password",
        "demo_user": "User name",
        "demo_role": "Role",
        "demo_scope": "Scope",
        "all": "Everything",
        "statement": "Accessibility statement",
        "other_language": "Svenska",
        "other_lang": "sv",
    },
}

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }}</title>
<link rel="icon" href="/_favicon.ico">
<link rel="stylesheet" href="{{ bootstrap }}">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<main class="container py-5" id="main" style="max-width: 34rem">
  {% if demo %}<div class="alert alert-warning py-2" id="login-demo-banner">{{ t.demo_banner }}</div>{% endif %}
  <div class="d-flex justify-content-between align-items-baseline">
    <h1 class="h3 mb-1">{{ t.heading }}</h1>
    <a href="/login?sprak={{ t.other_lang }}{% if next %}&amp;next={{ next|urlencode }}{% endif %}"
       lang="{{ t.other_lang }}">{{ t.other_language }}</a>
  </div>
  <p class="text-muted">Infosäk · {{ t.lead }}</p>
  {% if notice %}<div class="alert alert-info" id="login-notice" role="status">{{ notice }}</div>{% endif %}
  {% if error %}<div class="alert alert-danger" id="login-error" role="alert">{{ error }}</div>{% endif %}
  {% if oidc %}
  <a class="btn btn-primary w-100 mb-3" id="login-oidc"
     href="/auth/oidc/login?sprak={{ lang }}{% if next %}&amp;next={{ next|urlencode }}{% endif %}">{{ t.oidc_button }}</a>
  <p class="text-muted mb-2">{{ t.oidc_or }}</p>
  {% endif %}
  <form method="post" action="/login" class="card card-body mb-4" id="login-form">
    <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
    <input type="hidden" name="next" value="{{ next }}">
    <input type="hidden" name="sprak" value="{{ lang }}">
    <div class="mb-3">
      <label class="form-label" for="login-username">{{ t.username }}</label>
      <input class="form-control" id="login-username" name="username" autocomplete="username"
             autocapitalize="none" required value="{{ username }}" maxlength="100" autofocus>
    </div>
    <div class="mb-3">
      <label class="form-label" for="login-password">{{ t.password }}</label>
      <input class="form-control" id="login-password" name="password" type="password"
             autocomplete="current-password" required maxlength="1000">
    </div>
    <button class="btn btn-primary" type="submit" id="login-submit">{{ t.submit }}</button>
  </form>
  {% if demo_accounts %}
  <section id="login-demo-accounts">
    <h2 class="h5">{{ t.demo_heading }}</h2>
    <p>{{ t.demo_lead }} <code>demo</code>.</p>
    <table class="table table-sm">
      <thead><tr><th>{{ t.demo_user }}</th><th>{{ t.demo_role }}</th><th>{{ t.demo_scope }}</th></tr></thead>
      <tbody>
      {% for a in demo_accounts %}
        <tr><td><code>{{ a.name }}</code></td><td>{{ a.role }}</td><td>{{ a.scope or t.all }}</td></tr>
      {% endfor %}
      </tbody>
    </table>
  </section>
  {% endif %}
  <p class="mt-4"><a href="/tillganglighet?sprak={{ lang }}" id="login-statement">{{ t.statement }}</a></p>
</main>
</body>
</html>
"""


def wait_text(seconds: float, lang: str = "sv") -> str:
    """A wait in whole seconds below two minutes, else in whole minutes (rounded up)."""
    texts = TEXT[lang if lang in TEXT else "sv"]
    whole = max(1, math.ceil(seconds))
    if whole == 1:
        return texts["second"]
    if whole < 120:
        return texts["seconds"].format(n=whole)
    return texts["minutes"].format(n=math.ceil(whole / 60))


def render_login(
    *,
    lang: str,
    csrf_token: str,
    next_path: str = "",
    username: str = "",
    error_key: str | None = None,
    notice: str | None = None,
    demo: bool = False,
    demo_accounts: Sequence[tuple[str, str, str]] = (),
    bootstrap: str = "",
    oidc: bool = False,
    wait_seconds: float = 0,
) -> str:
    """``demo_accounts``: (name, role, scope text) triples; ``oidc``: show the single sign-on
    button (only when OIDC is configured)."""
    lang = lang if lang in TEXT else "sv"
    texts = TEXT[lang]
    return render_template_string(
        TEMPLATE,
        lang=lang,
        t=texts,
        csrf_token=csrf_token,
        next=next_path,
        username=username,
        error=texts[error_key].format(wait=wait_text(wait_seconds, lang)) if error_key else None,
        notice=notice,
        demo=demo,
        demo_accounts=[
            {"name": name, "role": role_label(role, lang), "scope": scope}
            for name, role, scope in demo_accounts
        ],
        bootstrap=bootstrap,
        oidc=oidc,
    )
