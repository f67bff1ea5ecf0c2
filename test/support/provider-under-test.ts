import { describe, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DevIdp, RealmFile, SeenRequest } from '../../src/dev-idp/index.js';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import { projectRoot } from '../../src/support/project-root.js';
import { KeycloakTestAdmin, type AdminRealm } from '../keycloak/admin-api.js';
import { keycloakUnderTest } from '../keycloak/tier.js';
import type { MovableClock } from './clock.js';
import { buildTestGateway, DEMO_CLIENT_SECRET, type TestGateway, type TestGatewayOptions } from './gateway.js';
import { startTestIdp } from './idp.js';
import { startGenericIdp, type DirectoryFile } from './generic-idp/index.js';
import { saysOf, type ProviderSays } from './provider-says.js';

export type { ProviderSays } from './provider-says.js';

/*
 * The provider under test. `npm test` runs a suite against a fresh embedded dev IdP; the Keycloak tier (the jest
 * project `keycloak` sets AUTHGATE_TEST_PROVIDER=keycloak, its global setup KEYCLOAK_URL) runs the same file against a
 * private copy of the demo realm in a real Keycloak. A test written against this interface means the same thing on
 * both: what the gateway exchanged with the provider is seen at the gateway's own HTTP client, and the provider's
 * sessions are asked of the provider itself.
 */

/**
 * `generic-jwt` and `generic-opaque`: a plain oidc-provider (test/support/generic-idp), nothing Keycloak-like, with
 * RFC 9068 JWT or opaque access tokens, behind a gateway configured with IDP_ISSUER and the generic dialect.
 */
export type ProviderKind = 'embedded' | 'keycloak' | 'generic-jwt' | 'generic-opaque';
const KINDS: readonly ProviderKind[] = ['embedded', 'keycloak', 'generic-jwt', 'generic-opaque'];

export function providerKind(): ProviderKind {
  const wanted = process.env.AUTHGATE_TEST_PROVIDER;
  if (wanted === undefined || wanted === '') return 'embedded';
  if ((KINDS as readonly string[]).includes(wanted)) return wanted as ProviderKind;
  throw new Error(`AUTHGATE_TEST_PROVIDER must be one of ${KINDS.join(', ')}, not "${wanted}"`);
}

/** A provider that is not Keycloak (nor the embedded look-alike): no Keycloak paths, texts, sid or Admin API. */
export function isGenericProvider(kind: ProviderKind = providerKind()): boolean {
  return kind === 'generic-jwt' || kind === 'generic-opaque';
}

/**
 * `describe` for a suite that runs on either provider; `describe.skip` (with the reason printed, by tier.ts) only in
 * the Keycloak tier on a machine that cannot start Keycloak, never under CI=true. `ready` is false when something else
 * the suite needs is missing and was reported as such (testRedis).
 */
export function providerSuite(suite: string, ready = true): (name: string, fn: () => void) => void {
  if (!ready) return describe.skip;
  if (providerKind() !== 'keycloak') return describe;
  return keycloakUnderTest(suite) ? describe : describe.skip;
}

/**
 * Tests that need a power only the embedded IdP has (its clock moved, a scripted answer, another Keycloak version's
 * behaviour played). They are not part of the provider-independent set: on Keycloak they are not registered at all
 * (so CI=true sees nothing skipped) and the run says which and why.
 */
export function onEmbeddedIdp(reason: string): {
  it: (name: string, fn: () => Promise<void>) => void;
  describe: (name: string, fn: () => void) => void;
} {
  if (providerKind() === 'embedded')
    return { it: (name, fn) => it(name, fn), describe: (name, fn) => describe(name, fn) };
  const leaveOut = (name: string) =>
    console.log(`embedded dev IdP only, not part of the Keycloak tier: "${name}" (${reason})`);
  return { it: leaveOut, describe: leaveOut };
}

/**
 * Tests of something only some providers can express (see ProviderSays): registered where `can` holds; elsewhere not
 * registered at all, and the run says which and why.
 */
export function whereProvider(
  can: (says: ProviderSays) => boolean,
  reason: string,
): {
  it: (name: string, fn: () => Promise<void>, timeout?: number) => void;
  describe: (name: string, fn: () => void) => void;
} {
  if (can(saysOf(providerKind(), '')))
    return { it: (name, fn, timeout) => it(name, fn, timeout), describe: (name, fn) => describe(name, fn) };
  const leaveOut = (name: string) => console.log(`not on the ${providerKind()} provider: "${name}" (${reason})`);
  return { it: leaveOut, describe: leaveOut };
}

export interface ProviderOptions {
  /** A change to the demo realm (keycloak-realm.json) for this provider alone. */
  realm?: (realm: RealmFile) => RealmFile;
  /**
   * The time the gateways share (the default clock of gateway()). The embedded IdP keeps it too; Keycloak keeps real
   * time, so a test that needs the provider's time to pass calls pass().
   */
  clock?: MovableClock;
  /** Keycloak's realm name starts with this (it must be unique per Keycloak, the rest is random). */
  name?: string;
}

export interface ProviderUnderTest {
  readonly kind: ProviderKind;
  /** KEYCLOAK_URL for a gateway. */
  readonly url: string;
  readonly realm: string;
  readonly issuer: string;
  readonly clientSecret: string;
  /** What this provider says and can do where providers differ (never what the client gets). */
  readonly says: ProviderSays;
  /** The gateway as production builds it, pointed at this provider and recording what it exchanges with it. */
  gateway(options?: Omit<TestGatewayOptions, 'idpUrl'>): TestGateway;
  /** Every call of gateway()'s gateways to the token, logout, revoke, introspect and userinfo endpoints, in order. */
  readonly seen: readonly SeenRequest[];
  clearSeen(): void;
  /** The refresh token of every token answer those gateways got (the client never sees them in session mode). */
  readonly refreshTokens: readonly string[];
  /** Whether the provider still holds the session of this refresh token with the gateway's client in it. */
  sessionActive(refreshToken: string): Promise<boolean>;
  /** Ends the provider session of this refresh token behind the gateway's back. */
  endSession(refreshToken: string): Promise<void>;
  /** Lets the provider's time pass: the shared clock on the embedded IdP, real seconds on Keycloak. */
  pass(seconds: number): Promise<void>;
  /**
   * A lifespan as the provider counts it down in an answer: Keycloak computes `expires_in` from the token's `exp` when
   * it answers, so a second that ticks over in between makes 300 a 299 (seen on 26.7.3); the embedded IdP says 300.
   */
  countdown(seconds: number): unknown;
  /** How many seconds countdown() lets the provider round off: 1 on Keycloak, 0 on the embedded IdP. */
  readonly countdownSlack: number;
  close(): Promise<void>;
}

const CLIENT_ID = 'authgate';
const PROVIDER_ENDPOINTS: Record<string, SeenRequest['endpoint']> = {
  token: 'token',
  logout: 'logout',
  revoke: 'revoke',
  userinfo: 'userinfo',
  introspect: 'introspect',
};

/** A provider of the test's own: a fresh embedded IdP, or a fresh realm in the tier's Keycloak. Close it in afterAll. */
export async function providerUnderTest(options: ProviderOptions = {}): Promise<ProviderUnderTest> {
  const demo = JSON.parse(await readFile(join(projectRoot(), 'keycloak-realm.json'), 'utf8')) as RealmFile;
  const realm = options.realm ? options.realm(structuredClone(demo)) : demo;
  const kind = providerKind();
  if (kind === 'keycloak') return keycloakProvider(realm, options);
  if (kind === 'embedded') return embeddedProvider(realm, options);
  return genericProvider(kind, realm, options);
}

async function embeddedProvider(realm: RealmFile, options: ProviderOptions): Promise<ProviderUnderTest> {
  const clock = options.clock;
  const idp: DevIdp = await startTestIdp({ realm: () => realm, ...(clock ? { now: clock.now } : {}) });
  const form = (extra: Record<string, string>) =>
    new URLSearchParams({ client_id: CLIENT_ID, client_secret: DEMO_CLIENT_SECRET, ...extra });
  return new Provider('embedded', idp.url, idp.realmName, idp.issuer, {}, options, {
    sessionActive: async (refreshToken) => {
      const res = await fetch(`${idp.issuer}/protocol/openid-connect/token/introspect`, {
        method: 'POST',
        body: form({ token: refreshToken, token_type_hint: 'refresh_token' }),
      });
      return ((await res.json()) as { active?: unknown }).active === true;
    },
    endSession: async (refreshToken) => {
      const res = await fetch(`${idp.issuer}/protocol/openid-connect/logout`, {
        method: 'POST',
        body: form({ refresh_token: refreshToken }),
      });
      if (res.status !== 204)
        throw new Error(`the embedded IdP did not end the session: ${res.status} ${await res.text()}`);
    },
    pass: async (seconds) => {
      if (!clock)
        throw new Error('the embedded IdP keeps the time of the clock it was given: pass providerUnderTest({ clock })');
      clock.advanceSeconds(seconds);
    },
    close: () => idp.close(),
  });
}

async function keycloakProvider(realm: RealmFile, options: ProviderOptions): Promise<ProviderUnderTest> {
  const url = process.env.KEYCLOAK_URL;
  if (!url) throw new Error('the Keycloak tier has no Keycloak (KEYCLOAK_URL): run the suite with providerSuite()');
  const admin = new KeycloakTestAdmin(url);
  const name = `${options.name ?? 'authgate'}-${randomUUID().slice(0, 8)}`;
  // Keycloak's brute-force detection (on in the demo realm) is not what these suites test (test/keycloak/account-budget
  // does), and its quick-login check would lock alice for a minute after two wrong passwords a suite sends on purpose.
  const realmAdmin: AdminRealm = await admin.importDemoRealm(name, { ...realm, bruteForceProtected: false });
  const env = { KEYCLOAK_REALM: name, KEYCLOAK_CLIENT_SECRET: DEMO_CLIENT_SECRET, IDP_TIMEOUT_MS: '10000' };
  const base = `/admin/realms/${encodeURIComponent(name)}`;
  return new Provider('keycloak', url, name, realmAdmin.issuer, env, options, {
    sessionActive: async (refreshToken) => {
      const { sub, sid } = decodeJwt(refreshToken);
      const sessions = await admin.call<{ id: string; clients: Record<string, string> }[]>(
        'GET',
        `${base}/users/${sub}/sessions`,
      );
      return sessions.some((s) => s.id === sid && Object.values(s.clients).includes(CLIENT_ID));
    },
    endSession: async (refreshToken) => {
      const { sid } = decodeJwt(refreshToken);
      await admin.call('DELETE', `${base}/sessions/${String(sid)}`);
    },
    pass: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    close: () => admin.deleteRealm(name),
  });
}

async function genericProvider(
  kind: 'generic-jwt' | 'generic-opaque',
  realm: RealmFile,
  options: ProviderOptions,
): Promise<ProviderUnderTest> {
  // The realm's session idle time is what a refresh token lives at this provider: a rotation gives a fresh one.
  const refreshTokenSeconds = (realm as { ssoSessionIdleTimeout?: number }).ssoSessionIdleTimeout ?? 1800;
  const idp = await startGenericIdp({
    accessTokenFormat: kind === 'generic-jwt' ? 'jwt' : 'opaque',
    directory: realm as unknown as DirectoryFile,
    refreshTokenSeconds,
    accessTokenSeconds: (realm as { accessTokenLifespan?: number }).accessTokenLifespan ?? 300,
  });
  const env = {
    // The provider does not say when its refresh tokens expire (refresh_expires_in is Keycloak's), so the deployment
    // does: a session then ends at the refresh tokens' lifetime after login, as on Keycloak, though no refresh moves it.
    SESSION_MAX_AGE_SECONDS: String(Math.max(60, refreshTokenSeconds)),
    IDP_ISSUER: idp.issuer,
    IDP_DIALECT: 'generic',
    IDP_CLIENT_SECRET: idp.clientSecret,
    IDP_ACCESS_TOKENS: kind === 'generic-jwt' ? 'jwt' : 'opaque',
    IDP_TIMEOUT_MS: '10000',
  };
  return new Provider(kind, idp.url, realm.realm, idp.issuer, env, options, {
    sessionActive: (refreshToken) => idp.sessionActive(refreshToken),
    endSession: (refreshToken) => idp.endSession(refreshToken),
    pass: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    close: () => idp.close(),
  });
}

// The generic provider's endpoints (oidc-provider's default routes) by what the suites call them.
const GENERIC_ENDPOINTS: Record<string, SeenRequest['endpoint']> = {
  '/token': 'token',
  '/token/revocation': 'revoke',
  '/me': 'userinfo',
  '/token/introspection': 'introspect',
};

interface ProviderPowers {
  sessionActive(refreshToken: string): Promise<boolean>;
  endSession(refreshToken: string): Promise<void>;
  pass(seconds: number): Promise<void>;
  close(): Promise<void>;
}

class Provider implements ProviderUnderTest {
  readonly seen: SeenRequest[] = [];
  readonly refreshTokens: string[] = [];
  readonly clientSecret = DEMO_CLIENT_SECRET;
  readonly says: ProviderSays;

  constructor(
    readonly kind: ProviderKind,
    readonly url: string,
    readonly realm: string,
    readonly issuer: string,
    private readonly env: Record<string, string>,
    private readonly options: ProviderOptions,
    private readonly powers: ProviderPowers,
  ) {
    this.says = saysOf(kind, issuer);
  }

  gateway(options: Omit<TestGatewayOptions, 'idpUrl'> = {}): TestGateway {
    const { wrapFetch, env = {}, clock = this.options.clock, ...rest } = options;
    const record = (network: Fetch) => this.record(network);
    return buildTestGateway({
      ...rest,
      idpUrl: this.url,
      env: { ...this.env, ...env },
      ...(clock ? { clock } : {}),
      // The record sits next to the network: a test's own wrapper (a delay, an outage) is outside it.
      wrapFetch: wrapFetch ? (network) => wrapFetch(record(network)) : record,
    });
  }

  clearSeen(): void {
    this.seen.length = 0;
  }

  sessionActive(refreshToken: string): Promise<boolean> {
    return this.powers.sessionActive(refreshToken);
  }

  endSession(refreshToken: string): Promise<void> {
    return this.powers.endSession(refreshToken);
  }

  pass(seconds: number): Promise<void> {
    return this.powers.pass(seconds);
  }

  get countdownSlack(): number {
    return this.kind === 'embedded' ? 0 : 1;
  }

  countdown(seconds: number): unknown {
    const accepted = this.countdownSlack ? [seconds - this.countdownSlack, seconds] : [seconds];
    return {
      asymmetricMatch: (actual: unknown) => accepted.includes(actual as number),
      toAsymmetricMatcher: () => `one of ${accepted.join(', ')}`,
    };
  }

  close(): Promise<void> {
    return this.powers.close();
  }

  private record(network: Fetch): Fetch {
    return async (input, init) => {
      const res = await network(input, init);
      const path = new URL(String(input)).pathname;
      const endpoint = isGenericProvider(this.kind)
        ? GENERIC_ENDPOINTS[path.slice(new URL(this.issuer).pathname.replace(/\/$/, '').length)]
        : path.includes('/protocol/openid-connect/')
          ? PROVIDER_ENDPOINTS[path.slice(path.lastIndexOf('/') + 1)]
          : undefined;
      if (!endpoint) return res;
      const form = new URLSearchParams(
        typeof init?.body === 'string' || init?.body instanceof URLSearchParams ? init.body.toString() : '',
      );
      const entry: SeenRequest = { endpoint, status: res.status };
      const grantType = form.get('grant_type');
      const clientId = form.get('client_id');
      if (grantType) entry.grantType = grantType;
      if (clientId) entry.clientId = clientId;
      const body = await res
        .clone()
        .json()
        .catch(() => undefined);
      if (body && typeof body === 'object') {
        const { error, error_description, refresh_token } = body as Record<string, unknown>;
        if (typeof error === 'string') entry.error = error;
        if (typeof error_description === 'string') entry.errorDescription = error_description;
        if (endpoint === 'token' && res.status === 200 && typeof refresh_token === 'string')
          this.refreshTokens.push(refresh_token);
      }
      this.seen.push(entry);
      return res;
    };
  }
}
