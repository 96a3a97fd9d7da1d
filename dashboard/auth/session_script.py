"""/auth/session.js: what every logged-in page runs about its session.

- A callback answered 401 means the session ended: go to the login page.
- Before the idle timeout logs the user out, a dialog warns and offers to stay logged in (WCAG
  2.2.1 Timing Adjustable): role=alertdialog, the focus moved into it and kept there, Enter or
  Escape keeps the session (a real request to KEEP_ALIVE_PATH, which the gate stamps as activity),
  "Logga ut" logs out. Before warning, the page asks STATUS_PATH how long the session really has
  left (that request does not count as activity): another tab may have kept it alive.
"""

from __future__ import annotations

import datetime as dt
import json

STATUS_PATH = "/auth/session-status"
KEEP_ALIVE_PATH = "/auth/keep-alive"
# The warning comes this long before the logout, or at half the idle time if that is shorter.
WARNING_LEAD = dt.timedelta(minutes=2)

TEXT = {
    "sv": {
        "title": "Du loggas snart ut",
        "body": (
            "Du har inte använt Infosäk på en stund. Av säkerhetsskäl loggas du ut om {time}. "
            "Vill du fortsätta vara inloggad?"
        ),
        "seconds": "{n} sekunder",
        "minutes": "{n} minuter",
        "stay": "Fortsätt vara inloggad",
        "logout": "Logga ut",
        "kept": "Du är fortfarande inloggad.",
    },
    "en": {
        "title": "You will soon be logged out",
        "body": (
            "You have not used Infosäk for a while. For security you will be logged out in "
            "{time}. Do you want to stay logged in?"
        ),
        "seconds": "{n} seconds",
        "minutes": "{n} minutes",
        "stay": "Stay logged in",
        "logout": "Log out",
        "kept": "You are still logged in.",
    },
}


def warning_lead(timeout: dt.timedelta) -> dt.timedelta:
    """How long before the logout the warning comes: two minutes, or half a short idle time."""
    return min(WARNING_LEAD, timeout / 2)


SCRIPT = """// Infosäk: the session's end (dashboard/auth/session_script.py).
(function () {
  "use strict";
  var TIMEOUT_MS = %(timeout_ms)d;
  var LEAD_MS = %(lead_ms)d;
  var STATUS = %(status)s;
  var KEEP_ALIVE = %(keep_alive)s;
  var TEXT = %(text)s;
  var originalFetch = window.fetch;
  var lastActivity = Date.now();
  var timer = null;
  var dialog = null;

  function expired() {
    window.location.assign("/login?utgangen=1");
  }

  function lang() {
    return document.documentElement.lang === "en" ? "en" : "sv";
  }

  // Every request the page sends stamps the session on the server (the login gate).
  window.fetch = function (resource) {
    var url = typeof resource === "string" ? resource : (resource && resource.url) || "";
    if (url.indexOf(STATUS) < 0) {
      lastActivity = Date.now();
      schedule();
    }
    return originalFetch.apply(this, arguments).then(function (response) {
      if (response.status === 401) {
        expired();
      }
      return response;
    });
  };

  function schedule() {
    if (dialog) {
      return;
    }
    window.clearTimeout(timer);
    var wait = lastActivity + TIMEOUT_MS - LEAD_MS - Date.now();
    timer = window.setTimeout(check, Math.max(0, wait));
  }

  // How long the session really has (another tab may have kept it alive); not activity itself.
  function check() {
    originalFetch(STATUS, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.status === 401) {
          expired();
          return null;
        }
        return response.json();
      })
      .then(function (status) {
        if (!status) {
          return;
        }
        var remaining = status.remaining * 1000;
        if (remaining > LEAD_MS + 1000) {
          lastActivity = Date.now() - (TIMEOUT_MS - remaining);
          schedule();
        } else {
          warn(Date.now() + remaining);
        }
      })
      .catch(function () {
        timer = window.setTimeout(check, 5000);
      });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )_csrf_token=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function timeLeft(ms, t) {
    var seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds >= 120) {
      return t.minutes.replace("{n}", String(Math.round(seconds / 60)));
    }
    return t.seconds.replace("{n}", String(seconds));
  }

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function warn(deadline) {
    var t = TEXT[lang()];
    var returnFocus = document.activeElement;
    var backdrop = element("div", {"class": "session-warning-backdrop"});
    var box = element("div", {
      "class": "session-warning",
      "id": "session-warning",
      "role": "alertdialog",
      "aria-modal": "true",
      "aria-labelledby": "session-warning-title",
      "aria-describedby": "session-warning-body",
      "lang": lang()
    });
    var title = element("h2", {"id": "session-warning-title", "class": "h5"}, t.title);
    var body = element("p", {"id": "session-warning-body"});
    var stay = element("button", {"type": "button", "class": "btn btn-primary me-2",
                                  "id": "session-warning-stay"}, t.stay);
    var leave = element("button", {"type": "button", "class": "btn btn-outline-secondary",
                                   "id": "session-warning-logout"}, t.logout);
    box.appendChild(title);
    box.appendChild(body);
    box.appendChild(stay);
    box.appendChild(leave);
    backdrop.appendChild(box);
    document.body.appendChild(backdrop);
    dialog = backdrop;

    function render() {
      var left = deadline - Date.now();
      body.textContent = t.body.replace("{time}", timeLeft(left, t));
      if (left <= 0) {
        close(false);
        check();  // the server ends the session and answers 401: to the login page
      }
    }
    render();
    var ticker = window.setInterval(render, 1000);

    function close(restoreFocus) {
      window.clearInterval(ticker);
      document.removeEventListener("keydown", onKey, true);
      if (backdrop.parentNode) {
        backdrop.parentNode.removeChild(backdrop);
      }
      dialog = null;
      if (restoreFocus && returnFocus && document.contains(returnFocus)) {
        returnFocus.focus();
      }
    }

    function keepAlive() {
      originalFetch(KEEP_ALIVE, {
        method: "POST",
        credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(), "Content-Type": "application/json"},
        body: "{}"
      }).then(function (response) {
        if (!response.ok) {
          expired();
          return;
        }
        lastActivity = Date.now();
        close(true);
        schedule();
      }).catch(function () {
        body.textContent = t.body.replace("{time}", timeLeft(deadline - Date.now(), t));
      });
    }

    function logOut() {
      var button = document.getElementById("app-logout");
      close(false);
      if (button && button.form) {
        button.form.submit();
      } else {
        expired();
      }
    }

    // Keyboard: Tab and Shift+Tab stay inside the dialog; Escape keeps the session.
    function onKey(event) {
      if (event.key === "Escape") {
        event.preventDefault();
        keepAlive();
      } else if (event.key === "Tab") {
        event.preventDefault();
        (document.activeElement === stay ? leave : stay).focus();
      }
    }
    document.addEventListener("keydown", onKey, true);
    stay.addEventListener("click", keepAlive);
    leave.addEventListener("click", logOut);
    stay.focus();
  }

  schedule();
})();
"""


def session_script(timeout: dt.timedelta) -> str:
    """The script for an idle timeout of ``timeout``."""
    return SCRIPT % {
        "timeout_ms": int(timeout.total_seconds() * 1000),
        "lead_ms": int(warning_lead(timeout).total_seconds() * 1000),
        "status": json.dumps(STATUS_PATH),
        "keep_alive": json.dumps(KEEP_ALIVE_PATH),
        "text": json.dumps(TEXT, ensure_ascii=False),
    }
