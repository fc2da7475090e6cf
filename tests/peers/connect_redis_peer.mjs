// A real express-session + connect-redis application's store, for the inspector's peer tests.
// Sessions are written and read through connect-redis's RedisStore with express-session's own
// Session and Cookie objects, so the bytes in Redis are exactly what such an application keeps.
//
//   REDIS_URL=redis://user:pass@127.0.0.1:port/db node connect_redis_peer.mjs write N
//       writes N passport-style sessions (sub, email, sid claims) and prints
//       [{"id", "sub", "email", "sid"}, ...]
//   REDIS_URL=... node connect_redis_peer.mjs write-user < USER.json
//       writes one session whose passport user is the JSON object on stdin; prints its id
//   REDIS_URL=... node connect_redis_peer.mjs get ID     prints the session JSON or null
//   REDIS_URL=... node connect_redis_peer.mjs ttl ID     prints the key's TTL in seconds
// The URL (with its password) comes from the environment, never the command line.
import { createClient } from "redis";
import { RedisStore } from "connect-redis";
import session from "express-session";
import { randomBytes } from "node:crypto";

const url = process.env.REDIS_URL;
if (!url) {
  console.error("REDIS_URL is not set");
  process.exit(2);
}
const [op, arg] = process.argv.slice(2);
const client = createClient({ url });
client.on("error", (err) => {
  console.error(`redis: ${err.message}`);
  process.exit(3);
});
await client.connect();
const store = new RedisStore({ client });

function b64url(bytes) {
  return bytes.toString("base64url");
}

try {
  if (op === "write") {
    const n = Number(arg);
    const written = [];
    for (let i = 0; i < n; i++) {
      // express-session's own id generator (uid-safe, 24 bytes) and request-bound Session.
      const id = b64url(randomBytes(24));
      const req = { sessionID: id, sessionStore: store };
      const sess = new session.Session(req, {});
      sess.cookie = new session.Cookie({ maxAge: 86400000, httpOnly: true, secure: true, sameSite: "lax" });
      const user = i % 5; // five users with several sessions each
      const sub = `auth0|peer${String(user).padStart(4, "0")}`;
      const email = `user${user}@${user % 2 ? "example.org" : "example.com"}`;
      const sid = b64url(randomBytes(12));
      sess.passport = {
        user: {
          sub,
          email,
          name: `Peer User ${user}`,
          sid,
          iss: "https://login.example.com/",
          tokenset: { access_token: `eyJhbGciOiJSUzI1NiJ9.${b64url(randomBytes(40))}.${b64url(randomBytes(64))}` },
        },
      };
      await new Promise((resolve, reject) => store.set(id, sess, (err) => (err ? reject(err) : resolve())));
      written.push({ id, sub, email, sid });
    }
    console.log(JSON.stringify(written));
  } else if (op === "write-user") {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const id = b64url(randomBytes(24));
    const sess = new session.Session({ sessionID: id, sessionStore: store }, {});
    sess.cookie = new session.Cookie({ maxAge: 86400000, httpOnly: true, secure: true, sameSite: "lax" });
    sess.passport = { user: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
    await new Promise((resolve, reject) => store.set(id, sess, (err) => (err ? reject(err) : resolve())));
    console.log(id);
  } else if (op === "get") {
    const value = await new Promise((resolve, reject) => store.get(arg, (err, s) => (err ? reject(err) : resolve(s))));
    console.log(JSON.stringify(value ?? null));
  } else if (op === "ttl") {
    console.log(String(await client.ttl(`sess:${arg}`)));
  } else {
    console.error(`unknown op ${op}`);
    process.exitCode = 2;
  }
} finally {
  await client.quit();
}
