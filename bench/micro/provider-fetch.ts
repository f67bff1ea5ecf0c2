// What BufferedResponse (src/idp/provider-fetch.ts) saves: a provider's answer, already read into memory, handed to
// openid-client and jose as a standard Response (which wraps the bytes in a WHATWG stream and reads them back through
// it) or as a BufferedResponse (which answers json() from the bytes), then read as they read it. For scale, a whole
// providerFetch call to a local server is timed too. Rounds alternate; figures are the bench process's CPU time.
//
//   npx tsx bench/micro/provider-fetch.ts [--rounds 15] [--per-round 4000]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { BufferedResponse, providerFetch } from '../../src/idp/provider-fetch.js';
import { report, sideBySide } from './side-by-side.js';

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');
const jwt = () => `${token(30)}.${token(700)}.${token(256)}`;

// A refresh grant's answer from Keycloak, about its usual size: three JWTs and their lifetimes.
const BODY = Buffer.from(
  JSON.stringify({
    access_token: jwt(),
    expires_in: 300,
    refresh_expires_in: 1800,
    refresh_token: jwt(),
    token_type: 'Bearer',
    id_token: jwt(),
    'not-before-policy': 0,
    session_state: token(27),
    scope: 'openid profile email',
  }),
);
const HEADERS = new Headers({
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'content-length': String(BODY.length),
});

async function readAsOpenidClientDoes(response: Response): Promise<void> {
  if (!(response instanceof Response) || response.status !== 200) throw new Error('not a 200 Response');
  const body = (await response.json()) as { access_token?: string };
  if (typeof body.access_token !== 'string') throw new Error('no access_token');
}

async function main(): Promise<void> {
  const rounds = argument('--rounds', 15);
  const perRound = argument('--per-round', 4000);

  const server = spawn(
    process.execPath,
    [
      '-e',
      `const body = Buffer.from(process.argv[1]); require('node:http').createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body))).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`,
      BODY.toString(),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [port] = (await once(server.stdout!, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${port.toString().trim()}/token`;
  const fetchFromProvider = providerFetch(5000);
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r', client_id: 'authgate' });

  try {
    const results = await sideBySide(
      [
        {
          name: 'standard Response (new Response(bytes))',
          run: async (times) => {
            for (let i = 0; i < times; i += 1)
              await readAsOpenidClientDoes(new Response(BODY, { status: 200, headers: HEADERS }));
          },
        },
        {
          name: 'BufferedResponse',
          run: async (times) => {
            for (let i = 0; i < times; i += 1)
              await readAsOpenidClientDoes(new BufferedResponse(BODY, { status: 200, headers: HEADERS }));
          },
        },
        {
          name: 'whole providerFetch call, as shipped',
          run: async (times) => {
            // A tenth as many: each is a round trip to the local server.
            for (let i = 0; i < times / 10; i += 1)
              await readAsOpenidClientDoes(await fetchFromProvider(url, { method: 'POST', body: form }));
          },
        },
      ],
      { rounds, perRound },
    );
    const whole = results[2]!;
    whole.cpuUs = whole.cpuUs.map((us) => us * 10);
    console.log(
      `Node ${process.version}, ${rounds} rounds of ${perRound} answers of ${BODY.length} bytes (whole calls: ${perRound / 10})`,
    );
    console.log(report(results.slice(0, 2)));
    console.log(report([whole]));
  } finally {
    server.kill();
  }
}

await main();
