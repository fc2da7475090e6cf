#!/usr/bin/python3
"""Writes N auth0-server-python session envelopes, one per line, the way that library writes them
(jwcrypto, dir + A256CBC-HS512, key = HKDF-SHA256(secret, salt=cookie name, info="Auth0 Generated
Encryption")), around realistic StateData documents (ID token ~1 KB, access token ~0.8 KB).

  make_envelopes.py N SALT < SECRET_FILE > envelopes.txt      (the secret travels on stdin)
"""
import json
import os
import sys
import base64

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwcrypto import jwe, jwk
from jwcrypto.common import base64url_encode


def b64(n: int) -> str:
    return base64.urlsafe_b64encode(os.urandom(n)).decode().rstrip("=")


def session(i: int) -> dict:
    sub = f"auth0|{i:08d}"
    return {
        "user": {"sub": sub, "email": f"user{i}@example.com", "name": f"User {i}", "email_verified": True},
        "id_token": f"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.{b64(420)}.{b64(256)}",
        "refresh_token": b64(32),
        "token_sets": [{"audience": "https://api.example.com/", "access_token": f"eyJhbGciOiJSUzI1NiJ9.{b64(330)}.{b64(256)}",
                        "scope": "openid profile email offline_access", "expires_at": 1800000000 + i}],
        "internal": {"sid": b64(16), "created_at": 1700000000 + i},
    }


def main() -> None:
    n, salt = int(sys.argv[1]), sys.argv[2]
    secret = sys.stdin.read().strip()
    key = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt.encode(),
               info=b"Auth0 Generated Encryption").derive(secret.encode())
    jwk_key = jwk.JWK(k=base64url_encode(key), kty="oct")
    for i in range(n):
        token = jwe.JWE(json.dumps(session(i)), protected={"alg": "dir", "enc": "A256CBC-HS512"})
        token.add_recipient(jwk_key)
        print(token.serialize(compact=True))


if __name__ == "__main__":
    main()
