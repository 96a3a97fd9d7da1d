"""A small but real OpenID provider for the OIDC tests, served over HTTP on 127.0.0.1.

It serves discovery, a JWKS with an RSA key generated at start, ``/authorize`` (approves at once:
redirects back with a code and the state) and ``/token`` (checks the client secret, the code,
the redirect URI and the PKCE S256 verifier, then returns an RS256-signed id_token carrying the
nonce of the authorize request and the user's groups). Tests choose the user (``provider.user``)
and may spoil the next id_token (``provider.spoil``) to see that Infosäk refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

KEY_ID = "infosak-test-key"


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class ServerThread:
    """A WSGI app on 127.0.0.1:<free port> in a daemon thread (werkzeug's real HTTP server)."""

    def __init__(self, wsgi_app):
        self._server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._stopped = False

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Idempotent: a test may stop the provider itself (provider down)."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class OpenIdProvider:
    def __init__(self, client_id: str, client_secret: str):
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = new_key()
        # The key the next id_token is signed with (a stranger's key: bad signature).
        self.signing_key = self.key
        self.user: dict = {"sub": "user-1", "preferred_username": "anna@kommun.se", "groups": []}
        # Claims that overwrite the correct ones in the next id_tokens (aud, nonce, exp, iss, ...).
        self.spoil: dict = {}
        self.redirect_uris: set[str] = set()
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self._codes: dict[str, dict] = {}
        self._server = ServerThread(self._make_app())
        self.issuer = self._server.url

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> OpenIdProvider:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    # ------------------------------------------------------------------ tokens

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            **({"nonce": nonce} if nonce else {}),
            **self.user,
            **self.spoil,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, self.signing_key)

    # ------------------------------------------------------------------ HTTP

    def _make_app(self) -> Flask:
        app = Flask("oidc_provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=f"{self.issuer}/authorize",
                token_endpoint=f"{self.issuer}/token",
                jwks_uri=f"{self.issuer}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                token_endpoint_auth_methods_supported=["client_secret_basic"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(KeySet([self.key]).as_dict(private=False))

        @app.get("/authorize")
        def authorize():
            args = request.args.to_dict()
            self.authorize_requests.append(args)
            problems = []
            if args.get("response_type") != "code":
                problems.append("response_type")
            if args.get("client_id") != self.client_id:
                problems.append("client_id")
            if args.get("redirect_uri") not in self.redirect_uris:
                problems.append("redirect_uri")
            if "openid" not in args.get("scope", "").split():
                problems.append("scope")
            if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
                problems.append("pkce")
            if not args.get("state") or not args.get("nonce"):
                problems.append("state/nonce")
            if problems:
                return jsonify(error="invalid_request", problems=problems), 400
            code = secrets.token_urlsafe(24)
            self._codes[code] = args
            query = urlencode({"code": code, "state": args["state"]})
            return redirect(f"{args['redirect_uri']}?{query}")

        @app.post("/token")
        def token():
            form = request.form.to_dict()
            self.token_requests.append(form)
            auth = request.authorization
            if auth is None or (auth.username, auth.password) != (
                self.client_id,
                self.client_secret,
            ):
                return jsonify(error="invalid_client"), 401
            issued = self._codes.pop(form.get("code", ""), None)  # single use
            if issued is None or form.get("grant_type") != "authorization_code":
                return jsonify(error="invalid_grant"), 400
            if form.get("redirect_uri") != issued["redirect_uri"]:
                return jsonify(error="invalid_grant", error_description="redirect_uri"), 400
            if s256(form.get("code_verifier", "")) != issued["code_challenge"]:
                return jsonify(error="invalid_grant", error_description="PKCE"), 400
            return jsonify(
                access_token=secrets.token_urlsafe(24),
                token_type="Bearer",
                expires_in=3600,
                id_token=self.id_token(issued.get("nonce")),
            )

        return app
