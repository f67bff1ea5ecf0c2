import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { AccountLookupError } from '../../src/idp/account-directory.js';
import { KeycloakAdmin } from '../../src/idp/keycloak-admin.js';
import { providerFetch } from '../../src/idp/provider-fetch.js';
import { MovableClock } from '../support/clock.js';
import { DEMO_CLIENT_SECRET } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';

// The IdP's clock and the gateway's move apart here: a token the gateway still trusts can be one Keycloak refuses.
const idpClock = new MovableClock();
let idp: DevIdp;
let idpWithoutRoles: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp({ now: idpClock.now });
  idpWithoutRoles = await startTestIdp({
    realm: (realm) => ({
      ...realm,
      users: realm.users.map((u) => (u.serviceAccountClientId ? { ...u, clientRoles: {} } : u)),
    }),
  });
});
afterAll(async () => {
  await Promise.all([idp.close(), idpWithoutRoles.close()]);
});

function admin(on: DevIdp, clock = new MovableClock()): KeycloakAdmin {
  return new KeycloakAdmin({
    url: on.url,
    realm: 'demo',
    clientId: 'authgate',
    clientSecret: DEMO_CLIENT_SECRET,
    allowHttp: true,
    fetch: providerFetch(2000),
    clock,
  });
}

const tokenGrants = () => idp.seen.filter((seen) => seen.grantType === 'client_credentials').length;

describe("Keycloak's Admin API as the gateway uses it", () => {
  it('answers the username of the account holding an email, in any case, and null for an email nobody holds', async () => {
    const directory = admin(idp);
    expect(await directory.usernameForEmail('Alice@Example.TEST')).toBe('alice');
    expect(await directory.usernameForEmail('nobody@example.test')).toBeNull();
    // A part of an email is not the email: the search is exact.
    expect(await directory.usernameForEmail('example.test')).toBeNull();
  });

  it('serves searches with one client-credentials token until shortly before it expires, then fetches the next', async () => {
    const clock = new MovableClock();
    const directory = admin(idp, clock);
    idp.clearSeen();
    await Promise.all([
      directory.usernameForEmail('alice@example.test'),
      directory.usernameForEmail('bob@example.test'),
    ]);
    clock.advanceSeconds(260);
    await directory.usernameForEmail('carol@example.test');
    expect(tokenGrants()).toBe(1);
    // The demo realm's tokens live 300 s: 30 s before the end the gateway takes a new one.
    clock.advanceSeconds(15);
    await directory.usernameForEmail('carol@example.test');
    expect(tokenGrants()).toBe(2);
  });

  it('replaces, once, a token Keycloak refuses before the gateway expected, and the search answers', async () => {
    const directory = admin(idp);
    expect(await directory.usernameForEmail('alice@example.test')).toBe('alice');
    idpClock.advanceSeconds(301);
    idp.clearSeen();
    expect(await directory.usernameForEmail('alice@example.test')).toBe('alice');
    expect(tokenGrants()).toBe(1);
  });

  it('says what to fix when the service account lacks view-users, and never shows the secret or the token', async () => {
    const failure = await admin(idpWithoutRoles)
      .usernameForEmail('alice@example.test')
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AccountLookupError);
    expect((failure as AccountLookupError).reason).toBe(
      'the Admin API refused the user search (403): the service account of client authgate needs the realm-management role view-users',
    );
    expect(JSON.stringify(failure) + String(failure) + String((failure as Error).cause)).not.toMatch(
      /authgate-dev-secret|eyJ/,
    );
  });
});
