// What SessionReader's memory of checked cookies saves per read, measured side by side in one process: the same
// session, created by express-session (its cookie signing, the store's codec), read through a reader that remembers
// and through one that does not. Run: npx tsx bench/micro/session-reader.ts [rounds] [reads per round]
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import { newAuthState, SessionAuth } from '../../src/sessions/auth-state.js';
import { MemorySessionStore } from '../../src/sessions/memory-session-store.js';
import { SessionCodec } from '../../src/sessions/session-codec.js';
import { sessionCookie } from '../../src/sessions/session-cookie.js';
import { expressSession } from '../../src/sessions/session-middleware.js';
import { SessionReader } from '../../src/sessions/session-reader.js';
import { systemClock } from '../../src/support/clock.js';
import { median } from '../lib/stats.js';

const rounds = Number(process.argv[2] ?? 15);
const perRound = Number(process.argv[3] ?? 20_000);
const secret = randomBytes(32).toString('base64url');

/** A JWT-shaped string of about Keycloak's size (its access tokens run 1.2 to 1.6 kB, refresh tokens about 0.8 kB). */
function token(bytes: number): string {
  return [
    'eyJhbGciOiJSUzI1NiJ9',
    randomBytes(bytes).toString('base64url'),
    randomBytes(256).toString('base64url'),
  ].join('.');
}

const codec = new SessionCodec(secret);
const store = new MemorySessionStore({ codec, clock: systemClock });
const cookie = sessionCookie('http://localhost:3000');

// The session as a login makes it: express-session regenerates, saves through the store, and signs the cookie.
const attach = expressSession(store, cookie, secret);
const app = express();
app.post('/login', async (req, res) => {
  await attach(req, res);
  await new Promise<void>((resolve, reject) =>
    req.session.regenerate((err: unknown) => (err ? reject(err) : resolve())),
  );
  const user = {
    sub: randomBytes(16).toString('hex'),
    username: 'alice',
    email: 'alice@example.test',
    name: 'Alice Liddell',
    roles: ['user', 'offline_access'],
  };
  const tokens = {
    access_token: token(900),
    refresh_token: token(450),
    expires_in: 300,
    refresh_expires_in: 1800,
    token_type: 'Bearer' as const,
  };
  req.session.auth = new SessionAuth(
    newAuthState(tokens, user, Date.now(), { maxAgeMs: 8 * 3600_000 }, 'http://bench.test/realms/demo'),
  );
  await new Promise<void>((resolve, reject) => req.session.save((err: unknown) => (err ? reject(err) : resolve())));
  res.json({});
});
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const login = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/login`, { method: 'POST' });
server.close();
const request = { headers: { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] } } as Request;

const sides = [
  { name: 'remembering (as the gateway runs)', reader: new SessionReader(store, cookie.name, secret) },
  {
    name: 'not remembering (HMAC, decrypt, parse each time)',
    reader: new SessionReader(store, cookie.name, secret, { remember: false }),
  },
];
async function run(reader: SessionReader, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    if (!(await reader.read(request))) throw new Error('the reader found no session');
  }
}

const cpuUs = sides.map(() => [] as number[]);
for (const side of sides) await run(side.reader, perRound);
for (let round = 0; round < rounds; round += 1) {
  // The sides take turns going first, so that a drift in the machine's speed lands on both.
  for (const i of round % 2 ? [1, 0] : [0, 1]) {
    const before = process.cpuUsage();
    await run(sides[i]!.reader, perRound);
    const used = process.cpuUsage(before);
    cpuUs[i]!.push((used.user + used.system) / perRound);
  }
}
const [withMemory = [], without = []] = cpuUs;
const saved = without.map((value, i) => value - (withMemory[i] ?? Number.NaN));
console.log(
  `Node ${process.version}, ${rounds} rounds of ${perRound} reads per side, CPU time of the process per read:`,
);
sides.forEach((side, i) =>
  console.log(
    `  ${side.name.padEnd(50)} ${median(cpuUs[i] ?? [])
      .toFixed(2)
      .padStart(
        7,
      )} µs (rounds ${Math.min(...(cpuUs[i] ?? [])).toFixed(2)} to ${Math.max(...(cpuUs[i] ?? [])).toFixed(2)})`,
  ),
);
console.log(
  `  saved per read: median ${median(saved).toFixed(2)} µs (rounds ${Math.min(...saved).toFixed(2)} to ${Math.max(...saved).toFixed(2)})`,
);
