import { closedPort } from '../test/support/ports.js';
import { GATEWAY, type startTarget, type Target } from './lib/processes.js';
import { createServiceToken, refreshGrants, revokeServiceToken } from './lib/service-token.js';

export interface StormResult {
  concurrency: number;
  statuses: Record<string, number>;
  refreshGrants: number;
  failures: number;
}

export interface StormOptions {
  redisUrl: string;
  sessionSecret: string;
  concurrency: number;
  start: (...args: Parameters<typeof startTarget>) => Promise<Target>;
}

export interface Storms {
  /** N concurrent `GET /api/auth/me` on one session. */
  session: StormResult;
  /** N concurrent `POST /api/auth/service-token/refresh` with one service token. */
  serviceToken: StormResult;
}

// Longer than the IdP's access tokens live (ACCESS_TOKEN_LIFESPAN below): the storm starts with an expired one.
const EXPIRY_WAIT_MS = 2500;

/**
 * Two storms, each of N concurrent requests split across two gateway instances sharing Redis, against an IdP whose
 * access tokens live 2 s and which rotates refresh tokens with reuse detection, each started once the access token
 * the gateways hold has expired: /me on one session, and the exchange of one service token. For each, the IdP must
 * see exactly one refresh grant, and no request may fail.
 */
export async function storm({ redisUrl, sessionSecret, concurrency, start }: StormOptions): Promise<Storms> {
  const [idpPort, control, portA, portB] = (await Promise.all(Array.from({ length: 4 }, () => closedPort()))) as [
    number,
    number,
    number,
    number,
  ];
  const idp = await start(
    'idp (2 s tokens)',
    'bench/targets/idp.ts',
    idpPort,
    { CONTROL_PORT: String(control), ACCESS_TOKEN_LIFESPAN: '2' },
    '/realms/demo/.well-known/openid-configuration',
  );
  // The login limits are raised as for every gateway of the bench: their counters live in the shared Redis, where an
  // earlier run's gateway stopped with logins in flight may have left counts behind for the rest of the window.
  const env = {
    KEYCLOAK_URL: idp.url,
    KEYCLOAK_CLIENT_SECRET: 'authgate-dev-secret',
    SESSION_SECRET: sessionSecret,
    AUTH_MODE: 'session',
    REDIS_URL: redisUrl,
    REFRESH_SKEW_SECONDS: '0',
    LOGIN_FAILURES_PER_IP: '1000000',
    LOGIN_FAILURES_PER_USER: '100000',
  };
  const [a, b] = await Promise.all([
    start('storm gateway A', GATEWAY, portA, env),
    start('storm gateway B', GATEWAY, portB, env),
  ]);
  try {
    const res = await fetch(`${a.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf': '1' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    });
    if (res.status !== 200) throw new Error(`refresh storm: the login answered ${res.status}: ${await res.text()}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const serviceToken = await createServiceToken(a.url, 'bench storm', cookie);

    const burst = async (request: (url: string) => Promise<Response>): Promise<StormResult> => {
      await new Promise((resolve) => setTimeout(resolve, EXPIRY_WAIT_MS));
      await fetch(`http://127.0.0.1:${control}/clear`, { method: 'POST' });
      const answers = await Promise.all(
        Array.from({ length: concurrency }, (_, i) =>
          request((i % 2 ? b : a).url).then(
            (r) => r.status,
            () => 0,
          ),
        ),
      );
      const seen = (await (await fetch(`http://127.0.0.1:${control}/`)).json()) as Record<string, number>;
      const statuses: Record<string, number> = {};
      for (const status of answers) statuses[status] = (statuses[status] ?? 0) + 1;
      return {
        concurrency,
        statuses,
        refreshGrants: refreshGrants(seen),
        failures: answers.filter((s) => s !== 200).length,
      };
    };
    const session = await burst((url) => fetch(`${url}/api/auth/me`, { headers: { cookie } }));
    const byToken = await burst((url) =>
      fetch(`${url}/api/auth/service-token/refresh`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serviceToken.token}` },
      }),
    );
    await revokeServiceToken(a.url, serviceToken.id, cookie);
    return { session, serviceToken: byToken };
  } finally {
    await Promise.all([a.stop(), b.stop(), idp.stop()]);
  }
}
