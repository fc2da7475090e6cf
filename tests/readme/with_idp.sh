#!/bin/sh
# Runs a README example against the test IdP that scripts/with-services.sh started, with the
# environment the example reads (the test IdP's confidential client; a throwaway app secret).
if [ -z "$SI_TEST_ISSUER" ]; then
    if [ "$SI_REQUIRE_SERVICES" = 1 ]; then
        echo "SI_TEST_ISSUER is not set but SI_REQUIRE_SERVICES=1" >&2
        exit 1
    fi
    echo "SI_TEST_ISSUER not set (run under scripts/with-services.sh): skipped"
    exit 77
fi
OIDC_ISSUER=$SI_TEST_ISSUER OIDC_CLIENT_ID=si-basic \
    OIDC_CLIENT_SECRET=si-basic-secret-for-tests-only-0123456789 \
    APP_SECRETS=readme-example-secret,readme-example-previous-secret exec "$@"
