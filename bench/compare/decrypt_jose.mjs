// Decrypts every envelope of a file with node's `jose` (npm), ROUNDS times; prints one JSON line
// per way: key derived (HKDF, node:crypto) per envelope, or once. Every plaintext must parse as
// JSON, or the run fails.
//
//   node decrypt_jose.mjs ENVELOPES SALT ROUNDS < SECRET_FILE
import { readFileSync } from 'node:fs';
import { hkdfSync } from 'node:crypto';
import { compactDecrypt } from 'jose';

const [path, salt, roundsText] = process.argv.slice(2);
const rounds = Number(roundsText);
const secret = readFileSync(0, 'utf8').trim();
const tokens = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
const derive = () => new Uint8Array(hkdfSync('sha256', secret, salt, 'Auth0 Generated Encryption', 64));
const decoder = new TextDecoder();

async function run(keySource) {
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const t of tokens) {
      const { plaintext } = await compactDecrypt(t, keySource());
      JSON.parse(decoder.decode(plaintext));
    }
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const cached = derive();
for (const [mode, source] of [['per-call', derive], ['cached', () => cached]]) {
  const seconds = await run(source);
  console.log(JSON.stringify({ impl: `jose ${mode}`, envelopes: tokens.length * rounds, seconds }));
}
