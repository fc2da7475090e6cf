#!/usr/bin/python3
"""Writes resources/demo/auth0-fastapi-cookie.txt: a realistic stateless auth0-fastapi session,
encrypted the way auth0-server-python does it (jwcrypto, HKDF-SHA256 with the cookie name as salt,
json.dumps of the state) and split into 4075-character _a0_session_N chunks.

The tokens inside are signed-looking but not signed by any real key. The secret is public.
Run: /usr/bin/python3 resources/demo/make_demo_cookie.py
"""
import base64
import json
import os
import pathlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwcrypto import jwe, jwk
from jwcrypto.common import base64url_encode

HERE = pathlib.Path(__file__).resolve().parent
SECRET = (HERE / "demo-secret.txt").read_text().splitlines()[0]
SALT = "_a0_session"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_jwt(header: dict, claims: dict, signature_bytes: int = 256) -> str:
    return ".".join([b64(json.dumps(header, separators=(",", ":")).encode()),
                     b64(json.dumps(claims, separators=(",", ":")).encode()),
                     b64(os.urandom(signature_bytes))])


now = 1795000000
issuer = "https://login.demo.example/"
claims = {"iss": issuer, "aud": "demo-client", "sub": "auth0|6561c0ffee", "sid": "Kq3vN8wz2Yh5Lx0Pd7Rt",
          "iat": now, "exp": now + 36000, "nonce": "Ff0aWcZq", "name": "Zo\u00eb Kowalski",
          "nickname": "zoe", "email": "zoe.kowalski@demo.example", "email_verified": True,
          "picture": "https://cdn.demo.example/avatars/zoe.png", "updated_at": "2026-11-20T09:14:00.000Z"}
state = {
    "user": {"sub": claims["sub"], "name": claims["name"], "nickname": "zoe", "given_name": None,
             "family_name": None, "picture": claims["picture"], "email": claims["email"],
             "email_verified": True, "org_id": None, "iss": issuer, "aud": "demo-client", "iat": now,
             "exp": now + 36000, "sid": claims["sid"], "updated_at": claims["updated_at"]},
    "id_token": fake_jwt({"alg": "RS256", "typ": "JWT", "kid": "demo-2026-11"}, claims),
    "refresh_token": "v1.M" + b64(os.urandom(96)),
    "token_sets": [
        {"audience": "https://api.demo.example/", "access_token": fake_jwt(
            {"alg": "RS256", "typ": "at+jwt", "kid": "demo-2026-11"},
            {"iss": issuer, "sub": claims["sub"], "aud": ["https://api.demo.example/", issuer + "userinfo"],
             "iat": now, "exp": now + 86400, "scope": "openid profile email offline_access read:orders",
             "permissions": ["read:orders", "read:invoices", "write:cart"], "azp": "demo-client"}),
         "scope": "openid profile email offline_access read:orders", "expires_at": now + 86400},
        {"audience": "https://billing.demo.example/", "access_token": fake_jwt(
            {"alg": "RS256", "typ": "at+jwt", "kid": "demo-2026-11"},
            {"iss": issuer, "sub": claims["sub"], "aud": "https://billing.demo.example/", "iat": now,
             "exp": now + 3600, "scope": "read:invoices", "azp": "demo-client"}),
         "scope": "read:invoices", "expires_at": now + 3600},
        {"audience": None, "access_token": b64(os.urandom(32)), "scope": None, "expires_at": now + 600},
    ],
    "connection_token_sets": [],
    "domain": "login.demo.example",
    "internal": {"sid": claims["sid"], "created_at": now},
}

key = HKDF(algorithm=hashes.SHA256(), length=64, salt=SALT.encode(), info=b"Auth0 Generated Encryption").derive(
    SECRET.encode())
token = jwe.JWE(json.dumps(state), protected={"alg": "dir", "enc": "A256CBC-HS512"})
token.add_recipient(jwk.JWK(k=base64url_encode(key), kty="oct"))
value = token.serialize(compact=True)
chunks = [value[i:i + 4075] for i in range(0, len(value), 4075)]
cookies = ["theme=dark", "_ga=GA1.1.912381234.1795000000"] + [f"{SALT}_{i}={c}" for i, c in enumerate(chunks)]
cookies.insert(1, "_a0_tx=stale")
(HERE / "auth0-fastapi-cookie.txt").write_text("Cookie: " + "; ".join(cookies) + "\n")
print(f"{len(value)} characters in {len(chunks)} chunks")
