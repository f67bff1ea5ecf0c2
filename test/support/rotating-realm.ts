import { randomUUID } from 'node:crypto';
import type { DevIdp } from '../../src/dev-idp/index.js';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import { KeycloakTestAdmin, type AdminRealm } from '../keycloak/admin-api.js';
import { MovableClock } from './clock.js';
import { buildTestGateway, DEMO_CLIENT_SECRET, type TestGateway, type TestGatewayOptions } from './gateway.js';
import { startTestIdp } from './idp.js';
import { closedPort } from './ports.js';
import { startScriptedProvider, type ScriptedProvider } from './scripted-provider.js';

/**
 * A realm whose signing keys a test rotates, on the embedded IdP or on a real Keycloak (through its Admin API), with
 * the gateways pointed at it. The same key-rotation tests run on both.
 */
export interface RotatingRealm {
  readonly kind: 'embedded' | 'keycloak';
  /** The time the gateways keep. The embedded IdP keeps it too; Keycloak keeps real time. */
  readonly clock: MovableClock;
  /** KEYCLOAK_URL for a gateway. */
  readonly url: string;
  readonly issuer: string;
  gateway(options?: Omit<TestGatewayOptions, 'idpUrl' | 'clock'>): TestGateway;
  /** Adds an RS256 signing key of a higher priority than any before: it signs from now on. Answers its kid. */
  rotate(): Promise<string>;
  /** Removes the key of this kid from the realm (Keycloak: deletes its key provider). */
  remove(kid: string): Promise<void>;
  /** A lifespan as the provider counts it down in an answer (Keycloak may say 299 for 300). */
  countdown(seconds: number): unknown;
  close(): Promise<void>;
}

export async function embeddedRotatingRealm(): Promise<RotatingRealm> {
  const clock = new MovableClock();
  const idp: DevIdp = await startTestIdp({ now: clock.now });
  let priority = 100;
  return {
    kind: 'embedded',
    clock,
    url: idp.url,
    issuer: idp.issuer,
    gateway: (options = {}) => buildTestGateway({ ...options, idpUrl: idp.url, clock }),
    rotate: () => idp.addSigningKey({ priority: (priority += 100) }),
    remove: async (kid) => idp.removeSigningKey(kid),
    // The embedded IdP reads its clock again after signing the access token: a second that ticks over in between
    // makes refresh_expires_in one more (seen under load).
    countdown: (seconds) => ({
      asymmetricMatch: (actual: unknown) => actual === seconds || actual === seconds + 1,
      toAsymmetricMatcher: () => `${seconds} or ${seconds + 1}`,
    }),
    close: () => idp.close(),
  };
}

/** A private copy of the demo realm in the Keycloak at `url`, deleted by close(). */
export async function keycloakRotatingRealm(url: string): Promise<RotatingRealm> {
  const clock = new MovableClock();
  const admin = new KeycloakTestAdmin(url);
  const name = `rotation-${randomUUID().slice(0, 8)}`;
  // Logins of alice in parallel: Keycloak's brute-force detection refuses concurrent logins of one user (25.0.3+).
  const realm: AdminRealm = await admin.importDemoRealm(name, { bruteForceProtected: false });
  const env = { KEYCLOAK_REALM: name, KEYCLOAK_CLIENT_SECRET: DEMO_CLIENT_SECRET, IDP_TIMEOUT_MS: '10000' };
  let priority = 100;
  return {
    kind: 'keycloak',
    clock,
    url,
    issuer: realm.issuer,
    gateway: (options = {}) => buildTestGateway({ ...options, idpUrl: url, clock, env: { ...env, ...options.env } }),
    async rotate() {
      priority += 100;
      const provider = await realm.addRsaKey(`rotation-${priority}`, priority);
      const key = (await realm.keys()).find((k) => k.providerId === provider && k.algorithm === 'RS256');
      if (!key) throw new Error(`Keycloak lists no RS256 key of the key provider ${provider}`);
      return key.kid;
    },
    async remove(kid) {
      const key = (await realm.keys()).find((k) => k.kid === kid);
      if (!key) throw new Error(`realm ${name} has no key ${kid}`);
      await realm.deleteComponent(key.providerId);
    },
    countdown: (seconds) => ({
      asymmetricMatch: (actual: unknown) => actual === seconds || actual === seconds - 1,
      toAsymmetricMatcher: () => `${seconds} or ${seconds - 1}`,
    }),
    close: () => admin.deleteRealm(name),
  };
}

export type KeySetFault = 'a 500' | 'no answer in time' | 'a refused connection' | 'a key set without the new key';

/**
 * Sends the gateway's key-set fetches elsewhere while a fault is on: to a scripted server answering 500 or never, to a
 * port nothing listens on, or to a server answering the key set as it was before the rotation (a stale cache in
 * front of the provider). Everything else still reaches the real provider. Real HTTP either way: the gateway's own
 * client, its deadline included, meets the fault.
 */
export class KeySetDetour {
  private target: string | undefined;
  /** The key-set fetches the gateway made, faulty or not. */
  fetches = 0;

  private constructor(private readonly scripted: ScriptedProvider) {}

  static async start(): Promise<KeySetDetour> {
    return new KeySetDetour(await startScriptedProvider());
  }

  readonly wrap = (network: Fetch): Fetch => {
    return (input, init) => {
      if (!new URL(String(input)).pathname.endsWith('/protocol/openid-connect/certs')) return network(input, init);
      this.fetches += 1;
      return network(this.target ?? input, init);
    };
  };

  async on(fault: KeySetFault, keySetBefore: string): Promise<void> {
    const certs = `${this.scripted.url}/realms/demo/protocol/openid-connect/certs`;
    switch (fault) {
      case 'a 500':
        this.scripted.answer('jwks', {
          status: 500,
          body: '{"error":"unknown_error"}',
          contentType: 'application/json',
        });
        this.target = certs;
        return;
      case 'no answer in time':
        this.scripted.answer('jwks', { status: 200, hang: true });
        this.target = certs;
        return;
      case 'a refused connection':
        this.target = `http://127.0.0.1:${await closedPort()}/realms/demo/protocol/openid-connect/certs`;
        return;
      case 'a key set without the new key':
        this.scripted.answer('jwks', { status: 200, body: keySetBefore, contentType: 'application/json' });
        this.target = certs;
    }
  }

  off(): void {
    this.target = undefined;
  }

  close(): Promise<void> {
    return this.scripted.close();
  }
}
