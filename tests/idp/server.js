// A real OpenID Provider for Session Inspector's tests: oidc-provider (a certified OP) on
// loopback, with dev interactions (any login/password), dynamic client registration (tests
// register clients whose back-channel logout URI points at their own receiver), back-channel
// logout, RP-initiated logout and PAR. Never expose this anywhere but 127.0.0.1.
//
//   PORT=4455 node server.js            issuer http://127.0.0.1:4455
//
// Test-only endpoints (loopback):
//   POST /__test/rotate-keys            new signing key first in the JWKS (old one kept)
//   POST /__test/backchannel-logout     {"client_id","sub","sid"}: the IdP sends a logout token
//
// With SI_TEST_IDP_ISSUED set, every secret the IdP hands out (tokens from /token, client secrets
// and registration tokens from /reg) is appended to that file, one per line: the list
// tests/security/scan-secrets.sh looks for in logs, settings and audit files after the suites.
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';
import { setStorage } from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';

// The development adapter keeps the last 1,000 objects: under a full parallel test run (clients,
// sessions, grants, codes, tokens of many suites) a client registered a moment ago could be evicted
// and its login answered "invalid client". A test run stays far below a million.
setStorage(new LRU({ maxSize: 1000000 }));

const port = Number(process.env.PORT || 4455);
const issuer = `http://127.0.0.1:${port}`;

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

let keys = [newSigningKey()];

const accounts = {
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@example.test`,
          email_verified: true,
          name: `Test ${id}`,
          nickname: id,
          updated_at: 1700000000,
        };
      },
    };
  },
};

function configuration() {
  return {
    clients: [
      {
        client_id: 'si-basic',
        client_secret: 'si-basic-secret-for-tests-only-0123456789',
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: ['http://127.0.0.1:9/callback'],
        post_logout_redirect_uris: ['http://127.0.0.1:9/logged-out'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Unreachable on purpose; it makes ID tokens carry `sid`. Tests that receive logout
        // tokens register their own client (POST /reg) pointing at their receiver.
        backchannel_logout_uri: 'http://127.0.0.1:9/backchannel-logout',
        backchannel_logout_session_required: true,
      },
      {
        client_id: 'si-post',
        client_secret: 'si-post-secret-for-tests-only-0123456789',
        token_endpoint_auth_method: 'client_secret_post',
        redirect_uris: ['http://127.0.0.1:9/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        backchannel_logout_uri: 'http://127.0.0.1:9/backchannel-logout',
        backchannel_logout_session_required: true,
      },
      {
        client_id: 'si-public',
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1:9/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys },
    cookies: { keys: ['si-test-idp-cookie-key-0', 'si-test-idp-cookie-key-1'] },
    findAccount: accounts.findAccount,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'nickname', 'updated_at'],
    },
    // ID tokens carry the profile claims (as Auth0's do), not only userinfo.
    conformIdTokenClaims: false,
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      registration: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      revocation: { enabled: true },
    },
    // Since 9.7 oidc-provider refuses to POST to loopback addresses; the test receivers live
    // there, so the default dispatcher (which enforces that) is dropped.
    fetch: (url, options) => {
      delete options.dispatcher;
      return globalThis.fetch(url, options);
    },
  };
}

function makeProvider() {
  const provider = new Provider(issuer, configuration());
  provider.proxy = false;
  return provider;
}

let provider = makeProvider();

const issuedFile = process.env.SI_TEST_IDP_ISSUED;
const secretFields = ['access_token', 'refresh_token', 'id_token', 'client_secret', 'registration_access_token'];

// Copies the secrets out of a JSON response body as it is sent.
function recordIssued(res) {
  const chunks = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = (chunk, ...rest) => {
    if (chunk) chunks.push(Buffer.from(chunk));
    return write(chunk, ...rest);
  };
  res.end = (chunk, ...rest) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const found = secretFields.map((f) => body[f]).filter((v) => typeof v === 'string' && v.length > 0);
      if (found.length) appendFileSync(issuedFile, found.map((v) => `${v}\n`).join(''));
    } catch {
      // not JSON (an error page): nothing issued
    }
    return end(chunk, ...rest);
  };
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/__test/rotate-keys') {
      keys = [newSigningKey(), ...keys];
      provider = makeProvider();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kid: keys[0].kid }));
      return;
    }
    if (req.method === 'POST' && req.url === '/__test/backchannel-logout') {
      const { client_id: clientId, sub, sid } = await readJson(req);
      const client = await provider.Client.find(clientId);
      if (!client) {
        res.writeHead(404);
        res.end('unknown client');
        return;
      }
      await client.backchannelLogout(sub, sid);
      res.writeHead(204);
      res.end();
      return;
    }
    if (issuedFile && (req.url.startsWith('/token') || req.url.startsWith('/reg'))) recordIssued(res);
    provider.callback()(req, res);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err && err.message));
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`test IdP at ${issuer}`);
});
