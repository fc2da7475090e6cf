#!/usr/bin/python3
"""Independent peer for the interop test: auth0-server-python's envelope, written the way that
library does it (jwcrypto + cryptography's HKDF + json.dumps).

Reads JSON requests, one per line, on stdin and answers one JSON line each on stdout.
Secrets travel on stdin, never on the command line.
  {"op": "hkdf", "secret": S, "salt": T}                -> {"key": hex}
  {"op": "encrypt", "secret": S, "salt": T, "payload_json": text}
        -> {"token": ..., "plaintext": json.dumps(json.loads(text))}   (key order kept)
  {"op": "decrypt", "secrets": [S...], "salt": T, "token": J} -> {"plaintext": ...} or {"error": ...}
"""
import json
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwcrypto import jwe, jwk
from jwcrypto.common import base64url_encode


def derive(secret: str, salt: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=64, salt=salt.encode("utf-8"),
                info=b"Auth0 Generated Encryption").derive(secret.encode("utf-8"))


def key_for(secret: str, salt: str) -> jwk.JWK:
    return jwk.JWK(k=base64url_encode(derive(secret, salt)), kty="oct")


def handle(request: dict) -> dict:
    op = request["op"]
    if op == "hkdf":
        return {"key": derive(request["secret"], request["salt"]).hex()}
    if op == "encrypt":
        plaintext = json.dumps(json.loads(request["payload_json"]))
        token = jwe.JWE(plaintext, protected={"alg": "dir", "enc": "A256CBC-HS512"})
        token.add_recipient(key_for(request["secret"], request["salt"]))
        return {"token": token.serialize(compact=True), "plaintext": plaintext}
    if op == "decrypt":
        last = "no secret"
        for secret in request["secrets"]:
            try:
                token = jwe.JWE()
                token.deserialize(request["token"], key=key_for(secret, request["salt"]))
                return {"plaintext": token.payload.decode("utf-8")}
            except Exception as exc:  # jwcrypto raises several types; report the class only
                last = type(exc).__name__
        return {"error": last}
    return {"error": "unknown op"}


def main() -> None:
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(handle(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
