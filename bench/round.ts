// One round of the bench: every scenario once, the two sides of each comparison back to back. Rounds alternate which
// side goes first, so that a drift in the machine's speed during a round does not favour one side.
import { loginThroughIdp } from './lib/browser-login.js';
import { HASHED_USER } from './lib/hashed-user.js';
import { load, medianLatency, type LoadOptions, type LoadResult } from './lib/load.js';
import { pin, type Target } from './lib/processes.js';
import { createServiceToken, refreshGrants, revokeServiceToken } from './lib/service-token.js';

export const CLIENT = { client_id: 'authgate', client_secret: 'authgate-dev-secret' };

/**
 * Connections for the refresh and login throughput runs: enough to keep the busiest process saturated, so the
 * throughput is the capacity of the slowest stage. With ten, neither the gateway nor the IdP ever reached full use and
 * the figure was the two stages' latencies added, which the one-at-a-time latency figure already measures.
 */
export const CAPACITY_CONNECTIONS = 32;

export interface Targets {
  idp: Target;
  floor: Target;
  tokenGw: Target;
  sessionGw: Target;
  peer: Target;
  relay: Target;
}

export interface RoundSettings {
  /** Seconds of load for each /me scenario. */
  seconds: number;
  /** Requests for each refresh and plain-login scenario (refresh tokens are single use: this many are made first). */
  singleUse: number;
  /** Requests timed one at a time for the added-latency figure. */
  latencySamples: number;
  /** Logins as the user with Keycloak's password hashing (each costs the IdP a fifth of a second or more). */
  hashedLogins: number;
}

/** Where a round's figures go: throughput runs, and medians of one-at-a-time latency. */
export interface Sink {
  run(name: string, result: LoadResult): void;
  latency(name: string, ms: number): void;
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const passwordForm = (username: string, password: string) =>
  new URLSearchParams({ grant_type: 'password', username, password, scope: 'openid', ...CLIENT }).toString();
const refreshForm = (token: string) =>
  new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, ...CLIENT }).toString();
const loginJson = (username: string, password: string) => JSON.stringify({ username, password });

export class Round {
  private readonly tokenEndpoint: string;

  constructor(
    private readonly t: Targets,
    /** Whether refresh and login run with the gateway and the IdP on CPUs apart (see `apart`). */
    private readonly pinned: boolean,
    private readonly allCpus: string,
    /** The IdP's control address (bench/targets/idp.ts): what it saw, for the grants an exchange costs. */
    private readonly idpControl: string,
  ) {
    this.tokenEndpoint = `${t.idp.url}/realms/demo/protocol/openid-connect/token`;
  }

  async run(round: number, settings: RoundSettings, sink: Sink): Promise<void> {
    const { idp, floor, tokenGw, sessionGw, peer, relay } = this.t;
    const measure = this.measure.bind(this, sink);
    const ordered = <T>(pair: T[]) => (round % 2 === 0 ? [...pair].reverse() : pair);

    // Fresh credentials every round: access tokens live 300 s.
    const bearer = await this.gatewayLogin(tokenGw, false);
    const sessionCookie = await this.gatewayLogin(sessionGw, true);
    const peerCookie = await loginThroughIdp(peer.url, 'alice', 'alice-password');
    // On the gateway with Redis, as a fleet of bots is served: the exchange's lock and the token's record live there.
    const serviceToken = await createServiceToken(sessionGw.url, `bench round ${round}`, sessionCookie);
    const duration = settings.seconds;
    for (const step of ordered([
      () => measure('floor', floor, { url: `${floor.url}/floor`, duration }),
      () =>
        measure('token /me', tokenGw, {
          url: `${tokenGw.url}/api/auth/me`,
          headers: { authorization: `Bearer ${bearer}` },
          duration,
        }),
      () =>
        measure('session /me', sessionGw, {
          url: `${sessionGw.url}/api/auth/me`,
          headers: { cookie: sessionCookie },
          duration,
        }),
      () => measure('peer /me', peer, { url: `${peer.url}/me`, headers: { cookie: peerCookie }, duration }),
      () => measure('session, no cookie', sessionGw, { url: `${sessionGw.url}/api/auth/session`, duration }),
      () =>
        measure(
          'service-token exchange',
          sessionGw,
          {
            url: `${sessionGw.url}/api/auth/service-token/refresh`,
            method: 'POST',
            headers: { authorization: `Bearer ${serviceToken.token}` },
            duration,
          },
          idp,
          true,
        ),
    ])) {
      await step();
    }
    await revokeServiceToken(sessionGw.url, serviceToken.id, sessionCookie);

    const n = settings.singleUse;
    const tokens = { via: await this.refreshTokens(n), direct: await this.refreshTokens(n) };
    const samples = settings.latencySamples;
    const oneAtATime = {
      via: await this.refreshTokens(samples),
      direct: await this.refreshTokens(samples),
      relay: await this.refreshTokens(samples),
    };
    const hashed = [HASHED_USER.username, HASHED_USER.password] as const;
    this.apart(true);
    try {
      for (const pair of [
        [
          () =>
            measure(
              'refresh via gateway',
              tokenGw,
              {
                url: `${tokenGw.url}/api/auth/refresh-token`,
                method: 'POST',
                headers: json,
                bodies: tokens.via.map((t) => JSON.stringify({ refresh_token: t })),
                amount: n,
                connections: CAPACITY_CONNECTIONS,
              },
              idp,
            ),
          () =>
            measure('refresh direct', idp, {
              url: this.tokenEndpoint,
              method: 'POST',
              headers: form,
              bodies: tokens.direct.map(refreshForm),
              amount: n,
              connections: CAPACITY_CONNECTIONS,
            }),
        ],
        [
          async () =>
            sink.latency(
              'refresh via gateway',
              await medianLatency({
                url: `${tokenGw.url}/api/auth/refresh-token`,
                headers: json,
                bodies: oneAtATime.via.map((t) => JSON.stringify({ refresh_token: t })),
              }),
            ),
          async () =>
            sink.latency(
              'refresh direct',
              await medianLatency({
                url: this.tokenEndpoint,
                headers: form,
                bodies: oneAtATime.direct.map(refreshForm),
              }),
            ),
          async () =>
            sink.latency(
              'refresh via bare relay',
              await medianLatency({
                url: `${relay.url}/token`,
                headers: form,
                bodies: oneAtATime.relay.map(refreshForm),
              }),
            ),
        ],
        [
          () =>
            measure(
              'login via gateway',
              tokenGw,
              {
                url: `${tokenGw.url}/api/auth/login`,
                method: 'POST',
                headers: json,
                body: loginJson('alice', 'alice-password'),
                amount: n,
                connections: CAPACITY_CONNECTIONS,
              },
              idp,
            ),
          () =>
            measure('login direct', idp, {
              url: this.tokenEndpoint,
              method: 'POST',
              headers: form,
              body: passwordForm('alice', 'alice-password'),
              amount: n,
              connections: CAPACITY_CONNECTIONS,
            }),
        ],
        // Four at a time: Keycloak, too, runs at most one hash per core at once and queues the rest.
        [
          () =>
            measure(
              'login via gateway, PBKDF2',
              tokenGw,
              {
                url: `${tokenGw.url}/api/auth/login`,
                method: 'POST',
                headers: json,
                body: loginJson(...hashed),
                amount: settings.hashedLogins,
                connections: 4,
              },
              idp,
            ),
          () =>
            measure('login direct, PBKDF2', idp, {
              url: this.tokenEndpoint,
              method: 'POST',
              headers: form,
              body: passwordForm(...hashed),
              amount: settings.hashedLogins,
              connections: 4,
            }),
        ],
      ]) {
        for (const step of ordered(pair)) await step();
      }
    } finally {
      this.apart(false);
    }
  }

  /**
   * One load run, with the CPU time each process spent on it per request: the server, the IdP behind it, the load
   * generator; and, when `countGrants`, the refresh grants the IdP saw meanwhile.
   */
  private async measure(
    sink: Sink,
    name: string,
    server: Target,
    options: LoadOptions,
    behind?: Target,
    countGrants = false,
  ): Promise<void> {
    if (countGrants) await fetch(`${this.idpControl}/clear`, { method: 'POST' });
    const before = { server: server.cpuMs(), behind: behind?.cpuMs() ?? 0, loader: process.cpuUsage() };
    const result = await load(options);
    const perRequest = (ms: number) => Math.round((ms * 1000) / Math.max(1, result.requests));
    const loader = process.cpuUsage(before.loader);
    result.cpuUs = {
      server: perRequest(server.cpuMs() - before.server),
      loader: perRequest((loader.user + loader.system) / 1000),
    };
    if (behind) result.cpuUs.idp = perRequest(behind.cpuMs() - before.behind);
    if (countGrants)
      result.refreshGrants = refreshGrants(
        (await (await fetch(`${this.idpControl}/`)).json()) as Record<string, number>,
      );
    sink.run(name, result);
  }

  /**
   * Refresh and login are compared with the gateway (and the bare relay) on a CPU of its own, and the IdP and the load
   * generator on the other, in both runs of a pair. The load generator's CPU is then charged to both sides alike (with
   * the gateway, it would be charged to the gateway's side only), and the gateway has a core to itself, as it would in
   * front of Keycloak. What the gateway itself costs is in the CPU-per-request columns.
   */
  private apart(on: boolean): void {
    if (!this.pinned) return;
    for (const pid of [this.t.tokenGw.pid, this.t.relay.pid]) pin(pid, on ? '0' : this.allCpus);
    pin(process.pid, on ? '1' : this.allCpus);
  }

  private async gatewayLogin(gateway: Target, session: boolean): Promise<string> {
    const res = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { ...json, ...(session ? { 'x-csrf': '1' } : {}) },
      body: loginJson('alice', 'alice-password'),
    });
    if (res.status !== 200) throw new Error(`login at ${gateway.url} answered ${res.status}`);
    if (session) return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    return ((await res.json()) as { token: { access_token: string } }).token.access_token;
  }

  /** Fresh refresh tokens straight from the IdP, one password grant each. */
  private async refreshTokens(count: number): Promise<string[]> {
    const tokens: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const res = await fetch(this.tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams(passwordForm('alice', 'alice-password')),
      });
      tokens.push(((await res.json()) as { refresh_token: string }).refresh_token);
    }
    return tokens;
  }
}
