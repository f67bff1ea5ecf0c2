import type { DevIdp } from '../../src/dev-idp/index.js';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import {
  SERVICE_TOKEN_PATHS,
  type ServiceTokenCreateAnswer,
  type ServiceTokenCreateRequest,
} from '../../src/contract/service-tokens.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen } from '../support/listen.js';

/** A gateway on a real port with the embedded IdP, each with a clock the test moves, for the service-token clients. */
export interface ServiceTokenWorld {
  url: string;
  idp: DevIdp;
  idpClock: MovableClock;
  gateway: TestGateway;
  gatewayClock: MovableClock;
  /** While true, every call of the gateway to the provider fails as an unreachable provider does. */
  provider: { down: boolean };
  /** Creates a service token over HTTP (alice's unless told). */
  create(
    name: string,
    lifetime?: { days: number } | { eternal: true },
    user?: string,
  ): Promise<ServiceTokenCreateAnswer>;
  /** How many exchanges reached the gateway so far. */
  exchanges(): number;
  close(): Promise<void>;
}

const PASSWORDS: Record<string, string> = { alice: 'alice-password', carol: 'carol-password' };

export async function startServiceTokenWorld(mode: 'token' | 'session' = 'token'): Promise<ServiceTokenWorld> {
  const idpClock = new MovableClock();
  const idp = await startTestIdp({ now: idpClock.now });
  const gatewayClock = new MovableClock();
  const provider = { down: false };
  const gateway = buildTestGateway({
    idpUrl: idp.url,
    mode,
    clock: gatewayClock,
    wrapFetch:
      (network: Fetch): Fetch =>
      (input, init) =>
        provider.down
          ? Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))
          : network(input, init),
  });
  const server = await listen(gateway.app);
  return {
    url: server.url,
    idp,
    idpClock,
    gateway,
    gatewayClock,
    provider,
    async create(name, lifetime = { days: 30 }, user = 'alice') {
      const body: ServiceTokenCreateRequest = { username: user, password: PASSWORDS[user] ?? '', name, ...lifetime };
      const res = await fetch(`${server.url}${SERVICE_TOKEN_PATHS.tokens}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf': '1' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as ServiceTokenCreateAnswer;
    },
    exchanges: () => gateway.logs.events('http.request').filter((l) => l.path === SERVICE_TOKEN_PATHS.exchange).length,
    async close() {
      await server.close();
      await idp.close();
    },
  };
}
