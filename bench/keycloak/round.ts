// One round of the Keycloak bench: refresh and login through the gateway and straight to Keycloak, back to back, and
// one refresh at a time straight, through the gateway and through a bare relay. Rounds alternate which side goes first.
import { closedLoop, type ClosedLoopOptions, type ClosedLoopResult } from '../lib/closed-loop.js';
import { pin, type Target } from '../lib/processes.js';
import { CAPACITY_CONNECTIONS, CLIENT, type Sink } from '../round.js';

/**
 * Logins in flight at once. Keycloak hashes at most one password per core at a time and queues the rest: eight keep it
 * saturated through the gateway's extra stage.
 */
export const LOGIN_CONNECTIONS = 8;

/**
 * Users the logins take turns with. With brute-force detection on (the demo realm), Keycloak refuses a user's login
 * while another of the same user's is in progress, and a login sent the moment the user's last one answered was seen
 * refused as well (the mark is cleared a little after the answer): a user logs in again only after the others did.
 */
export const LOGIN_USERS = 4 * LOGIN_CONNECTIONS;

export interface KeycloakTargets {
  keycloak: Target;
  gateway: Target;
  relay: Target;
}

export interface KeycloakRoundSettings {
  /** Refresh grants for each side of the refresh pair, over CAPACITY_CONNECTIONS sessions. */
  refreshes: number;
  /** Password logins for each side of the login pair. */
  logins: number;
  /** Refreshes timed one at a time for each of the three latency figures. */
  latencySamples: number;
}

export interface KeycloakSink extends Sink {
  /** CPU per request, and time per request waiting for a CPU, in µs, of the process answering a one-at-a-time run. */
  latencyCpu(name: string, cpuUs: number, waitUs: number): void;
  /** Loops that ended early: a non-2xx answer or an error (a refresh chain then lost its token). */
  brokenLoops(name: string, count: number): void;
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const refreshForm = (token: string) =>
  new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, ...CLIENT }).toString();
const refreshJson = (token: string) => JSON.stringify({ refresh_token: token });
const fromKeycloak = (answer: string) => (JSON.parse(answer) as { refresh_token: string }).refresh_token;
const fromGateway = (answer: string) =>
  (JSON.parse(answer) as { token: { refresh_token: string } }).token.refresh_token;

/** Users in turn: a loop's next login is as the user that has waited longest. */
function takingTurns(users: string[]): Pick<ClosedLoopOptions, 'states' | 'next'> {
  const waiting = users.slice(LOGIN_CONNECTIONS);
  return {
    states: users.slice(0, LOGIN_CONNECTIONS),
    next: (_answer, username) => {
      waiting.push(username);
      return waiting.shift() ?? username;
    },
  };
}

export class KeycloakRound {
  private readonly tokenEndpoint: string;

  constructor(
    private readonly t: KeycloakTargets,
    realm: string,
    /** Users of the bench's own, all with `password`; LOGIN_USERS of them. */
    private readonly users: string[],
    private readonly password: string,
    /** The CPUs to pin to while a pair runs: the gateway's, and Keycloak's with the load generator's; undefined: no pinning. */
    private readonly cpus: { gateway: string; keycloak: string; all: string } | undefined,
  ) {
    this.tokenEndpoint = `${t.keycloak.url}/realms/${realm}/protocol/openid-connect/token`;
  }

  async run(round: number, settings: KeycloakRoundSettings, sink: KeycloakSink): Promise<void> {
    const { keycloak, gateway, relay } = this.t;
    const ordered = <T>(steps: T[]) => (round % 2 === 0 ? [...steps].reverse() : steps);
    const chains = Math.min(CAPACITY_CONNECTIONS, settings.refreshes);
    // Fresh sessions every round, one per refresh chain; each is then refreshed many times.
    const sessions = {
      via: await this.sessions(chains),
      direct: await this.sessions(chains),
      one: await this.sessions(3),
    };
    const [one, two, three] = sessions.one as [string, string, string];

    const viaGateway = {
      url: `${gateway.url}/api/auth/refresh-token`,
      headers: json,
      body: refreshJson,
      next: fromGateway,
    };
    const direct = { url: this.tokenEndpoint, headers: form, body: refreshForm, next: fromKeycloak };
    const viaRelay = { url: `${relay.url}/token`, headers: form, body: refreshForm, next: fromKeycloak };
    const loginVia = {
      url: `${gateway.url}/api/auth/login`,
      headers: json,
      body: (username: string) => JSON.stringify({ username, password: this.password }),
    };
    const loginDirect = {
      url: this.tokenEndpoint,
      headers: form,
      body: (username: string) => this.passwordForm(username),
    };
    const measure = (name: string, server: Target, options: ClosedLoopOptions, behind?: Target) =>
      this.measure(sink, name, server, behind, options);
    // The median latency, and the CPU per request of the process that answers: Keycloak, or the hop in front of it.
    const oneAtATime = async (
      name: string,
      server: Target,
      options: Omit<ClosedLoopOptions, 'states' | 'amount'>,
      token: string,
    ) => {
      const before = { cpu: server.cpuMs(), wait: server.waitMs() };
      const result = await closedLoop({ ...options, states: [token], amount: settings.latencySamples });
      if (result.states.length === 0) sink.brokenLoops(`${name}, one at a time`, 1);
      const perRequest = (ms: number) => Math.round((ms * 1000) / Math.max(1, result.requests));
      sink.latency(name, result.p50);
      sink.latencyCpu(name, perRequest(server.cpuMs() - before.cpu), perRequest(server.waitMs() - before.wait));
    };

    this.apart(true);
    try {
      for (const pair of [
        [
          () =>
            measure(
              'refresh via gateway',
              gateway,
              { ...viaGateway, states: sessions.via, amount: settings.refreshes },
              keycloak,
            ),
          () => measure('refresh direct', keycloak, { ...direct, states: sessions.direct, amount: settings.refreshes }),
        ],
        [
          () => oneAtATime('refresh via gateway', gateway, viaGateway, one),
          () => oneAtATime('refresh direct', keycloak, direct, two),
          () => oneAtATime('refresh via bare relay', relay, viaRelay, three),
        ],
        [
          () =>
            measure(
              'login via gateway',
              gateway,
              { ...loginVia, ...takingTurns(this.users), amount: settings.logins },
              keycloak,
            ),
          () =>
            measure('login direct', keycloak, { ...loginDirect, ...takingTurns(this.users), amount: settings.logins }),
        ],
      ]) {
        for (const step of ordered(pair)) await step();
      }
    } finally {
      this.apart(false);
    }
  }

  /** One run, with the CPU time each process spent on it per request: the server, Keycloak behind it, the load generator. */
  private async measure(
    sink: KeycloakSink,
    name: string,
    server: Target,
    behind: Target | undefined,
    options: ClosedLoopOptions,
  ): Promise<void> {
    const before = {
      server: server.cpuMs(),
      behind: behind?.cpuMs() ?? 0,
      loader: process.cpuUsage(),
      serverWait: server.waitMs(),
      behindWait: behind?.waitMs() ?? 0,
    };
    const result: ClosedLoopResult = await closedLoop(options);
    const perRequest = (ms: number) => Math.round((ms * 1000) / Math.max(1, result.requests));
    const loader = process.cpuUsage(before.loader);
    result.cpuUs = {
      server: perRequest(server.cpuMs() - before.server),
      loader: perRequest((loader.user + loader.system) / 1000),
    };
    result.waitUs = { server: perRequest(server.waitMs() - before.serverWait) };
    if (behind) {
      result.cpuUs.idp = perRequest(behind.cpuMs() - before.behind);
      result.waitUs.idp = perRequest(behind.waitMs() - before.behindWait);
    }
    const broken = options.states.length - result.states.length;
    if (broken > 0) sink.brokenLoops(name, broken);
    // The figures only: the run's thousands of latencies and tokens stay out of the report.
    const { times: _times, states: _states, ...figures } = result;
    sink.run(name, figures);
  }

  /**
   * As in the development IdP's rounds (see Round.apart): the gateway and the relay on a CPU of their own, Keycloak and
   * the load generator on the other, for both sides of every pair.
   */
  private apart(on: boolean): void {
    if (!this.cpus) return;
    const { gateway, keycloak, all } = this.cpus;
    for (const pid of [this.t.gateway.pid, this.t.relay.pid]) pin(pid, on ? gateway : all);
    for (const pid of [this.t.keycloak.pid, process.pid]) pin(pid, on ? keycloak : all);
  }

  private passwordForm(username: string): string {
    return new URLSearchParams({
      grant_type: 'password',
      username,
      password: this.password,
      scope: 'openid',
      ...CLIENT,
    }).toString();
  }

  /** Refresh tokens of `count` new sessions, from password grants straight to Keycloak, the users taking turns. */
  private async sessions(count: number): Promise<string[]> {
    const tokens: string[] = [];
    const turns = takingTurns(this.users);
    const result = await closedLoop({
      url: this.tokenEndpoint,
      headers: form,
      states: turns.states.slice(0, count),
      body: (username) => this.passwordForm(username),
      next: (answer, username) => {
        tokens.push(fromKeycloak(answer));
        return turns.next(answer, username);
      },
      amount: count,
    });
    if (tokens.length !== count)
      throw new Error(
        `password grants at Keycloak for the refresh sessions: ${result.non2xx} non-2xx answers, ${result.errors} errors`,
      );
    return tokens;
  }
}
