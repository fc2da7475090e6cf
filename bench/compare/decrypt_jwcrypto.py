#!/usr/bin/python3
"""Decrypts every envelope of a file with jwcrypto, the library auth0-server-python uses, ROUNDS
times; prints one JSON line of results. Two ways, each timed on its own:
  per-call  derive the key (HKDF) and build the JWK for every envelope, as auth0-server-python's
            decrypt does
  cached    derive once, then only JWE deserialization and decryption
Every plaintext must parse as JSON, or the run fails.

  decrypt_jwcrypto.py ENVELOPES SALT ROUNDS < SECRET_FILE
"""
import json
import sys
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwcrypto import jwe, jwk
from jwcrypto.common import base64url_encode


def key_for(secret: str, salt: str) -> jwk.JWK:
    derived = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt.encode(),
                   info=b"Auth0 Generated Encryption").derive(secret.encode())
    return jwk.JWK(k=base64url_encode(derived), kty="oct")


def run(tokens, rounds, key_source):
    start = time.perf_counter()
    for _ in range(rounds):
        for t in tokens:
            token = jwe.JWE()
            token.deserialize(t, key=key_source())
            json.loads(token.payload)
    return time.perf_counter() - start


def main() -> None:
    path, salt, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    secret = sys.stdin.read().strip()
    tokens = [line.strip() for line in open(path) if line.strip()]
    cached = key_for(secret, salt)
    results = {
        "per-call": run(tokens, rounds, lambda: key_for(secret, salt)),
        "cached": run(tokens, rounds, lambda: cached),
    }
    for mode, seconds in results.items():
        print(json.dumps({"impl": f"jwcrypto {mode}", "envelopes": len(tokens) * rounds, "seconds": seconds}))


if __name__ == "__main__":
    main()
