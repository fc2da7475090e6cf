#!/usr/bin/python3
"""Independent writer and reader of the Python peers' session layouts, for the inspector's tests.

starsessions keeps json.dumps(session) (with "__metadata__") under "starsessions.<32 hex>",
optionally through a Fernet or AES-GCM encryptor (12-byte nonce, then ciphertext and tag); the
encryption here is python3-cryptography's, not ours. auth0-fastapi's StatefulStateStore keeps the
compact JSON of its StateData model; its stateless cookie store keeps the jwcrypto envelope (salt:
the cookie name) in _a0_session_N chunks of 4075 characters.

Reads one JSON request per line on stdin, answers one JSON line each. Keys and secrets travel on
stdin, never on the command line.
  {"op": "starsessions", "cipher": "none"|"fernet"|"aesgcm", "key": b64|null, "sessions": [S...]}
      -> {"values": [...]}
  {"op": "starsessions-open", "cipher": ..., "key": b64, "value": text} -> {"plaintext": ...} or {"error": ...}
  {"op": "auth0-fastapi", "sessions": [S...]} -> {"values": [...]}
  {"op": "auth0-cookie", "secret": text, "session": S} -> {"cookie_header": "..."}
where S = {"sub", "email", "sid", "created", "last_access", "lifetime"}.
"""
import base64
import json
import os
import sys

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwcrypto import jwe, jwk
from jwcrypto.common import base64url_encode

ISSUER = "https://login.example.com/"


def claims(s):
    return {"sub": s["sub"], "email": s["email"], "name": "Peer " + s["sub"], "sid": s["sid"], "iss": ISSUER}


def state_data(s):
    # auth0-server-python StateData, field order of the pydantic model.
    return {
        "user": claims(s),
        "id_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        "refresh_token": "v1.peer-refresh",
        "token_sets": [{"audience": "default", "access_token": "peer-at", "scope": "openid profile",
                        "expires_at": int(s["last_access"]) + 86400}],
        "internal": {"sid": s["sid"], "created_at": int(s["created"])},
    }


def starsessions_value(cipher, key, s):
    doc = {"user": claims(s), "token": {"access_token": "peer-at", "token_type": "Bearer"},
           "__metadata__": {"lifetime": s["lifetime"], "created": s["created"], "last_access": s["last_access"]}}
    data = json.dumps(doc).encode("utf-8")
    if cipher == "fernet":
        return Fernet(key).encrypt(data).decode("ascii")
    if cipher == "aesgcm":
        # The first byte of some nonces is "{": such values must not be taken for plain JSON.
        nonce = bytes.fromhex(s["nonce_hex"]) if "nonce_hex" in s else os.urandom(12)
        return base64.b64encode(nonce + AESGCM(base64.b64decode(key)).encrypt(nonce, data, None)).decode("ascii")
    return data.decode("utf-8")


def starsessions_open(cipher, key, value):
    if cipher == "fernet":
        return Fernet(key).decrypt(value.encode("ascii")).decode("utf-8")
    if cipher == "aesgcm":
        raw = base64.b64decode(value)
        return AESGCM(base64.b64decode(key)).decrypt(raw[:12], raw[12:], None).decode("utf-8")
    return value


def cookie_key(secret, salt):
    derived = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt.encode("utf-8"),
                   info=b"Auth0 Generated Encryption").derive(secret.encode("utf-8"))
    return jwk.JWK(k=base64url_encode(derived), kty="oct")


def handle(req):
    op = req["op"]
    if op == "starsessions":
        key = req.get("key")
        return {"values": [starsessions_value(req["cipher"], key, s) for s in req["sessions"]]}
    if op == "starsessions-open":
        try:
            return {"plaintext": starsessions_open(req["cipher"], req["key"], req["value"])}
        except Exception as exc:  # report the class only
            return {"error": type(exc).__name__}
    if op == "auth0-fastapi":
        return {"values": [json.dumps(state_data(s), separators=(",", ":")) for s in req["sessions"]]}
    if op == "auth0-cookie":
        token = jwe.JWE(json.dumps(state_data(req["session"])), protected={"alg": "dir", "enc": "A256CBC-HS512"})
        token.add_recipient(cookie_key(req["secret"], "_a0_session"))
        text = token.serialize(compact=True)
        chunks = [text[i:i + 4075] for i in range(0, len(text), 4075)]
        parts = ["theme=dark"] + [f"_a0_session_{i}={c}" for i, c in enumerate(chunks)] + ["_ga=GA1.2.3"]
        return {"cookie_header": "; ".join(parts), "chunks": len(chunks)}
    return {"error": "unknown op"}


def main():
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(handle(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
