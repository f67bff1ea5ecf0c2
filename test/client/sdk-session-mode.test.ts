import { afterAll, describe, expect, it } from '@jest/globals';
import { AuthError, createAuthClient, type AuthClient } from '../../src/client/index.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen } from '../support/listen.js';

const running: { close(): Promise<void> }[] = [];
const clients: AuthClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(running.map((r) => r.close()));
});

let channels = 0;

async function setup() {
  const idpClock = new MovableClock();
  const idp = await startTestIdp({ now: idpClock.now });
  running.push(idp);
  const gatewayClock = new MovableClock();
  const gateway = buildTestGateway({ idpUrl: idp.url, mode: 'session', clock: gatewayClock });
  const server = await listen(gateway.app);
  running.push(server);
  const channelName = `session-${(channels += 1)}`;
  const makeClient = () => {
    const client = createAuthClient({ baseURL: server.url, mode: 'session', channelName });
    clients.push(client);
    const events: string[] = [];
    for (const event of ['loggedIn', 'loggedOut', 'sessionExpired', 'refreshed'] as const)
      client.on(event, () => events.push(event));
    return { client, events };
  };
  return { idp, idpClock, gateway, gatewayClock, makeClient };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the SDK in session mode, against the real gateway', () => {
  it('logs in with the CSRF header sent for it, keeps the session cookie (in Node too), and answers who is logged in', async () => {
    const { makeClient } = await setup();
    const { client, events } = makeClient();
    expect(await client.session()).toEqual({ authenticated: false });
    const { user, session } = await client.login('alice', 'alice-password');
    expect(user).toEqual(expect.objectContaining({ username: 'alice' }));
    expect(session).toEqual({ expires_at: expect.any(String), access_expires_at: expect.any(String) });
    expect(await client.me()).toEqual(expect.objectContaining({ username: 'alice' }));
    expect(await client.session()).toEqual({
      authenticated: true,
      user: expect.objectContaining({ username: 'alice' }),
      expires_at: session?.expires_at,
    });
    expect(events).toEqual(['loggedIn']);
  });

  it('hears about a transparent refresh in the gateway, and the provider saw one refresh for ten calls', async () => {
    const { idp, makeClient, gatewayClock } = await setup();
    const { client, events } = makeClient();
    await client.login('alice', 'alice-password');
    gatewayClock.advanceSeconds(250);
    idp.clearSeen();
    const users = await Promise.all(Array.from({ length: 10 }, () => client.me()));
    expect(users.map((u) => u.username)).toEqual(Array(10).fill('alice'));
    expect(idp.seen.filter((s) => s.grantType === 'refresh_token')).toHaveLength(1);
    expect(events.filter((e) => e === 'refreshed').length).toBeGreaterThanOrEqual(1);
  });

  it('says sessionExpired exactly once when the provider refuses the refresh, with no retry', async () => {
    const { idp, idpClock, makeClient, gatewayClock } = await setup();
    const { client, events } = makeClient();
    await client.login('alice', 'alice-password');
    idpClock.advanceSeconds(1801);
    gatewayClock.advanceSeconds(290);
    idp.clearSeen();
    const failures = await Promise.all(Array.from({ length: 10 }, () => client.me().catch((err: unknown) => err)));
    expect(failures.every((f) => f instanceof AuthError && f.status === 401)).toBe(true);
    expect(failures.map((f) => (f as AuthError).code)).toContain('session_expired');
    expect(idp.seen.filter((s) => s.grantType === 'refresh_token')).toHaveLength(1);
    expect(events.filter((e) => e === 'sessionExpired')).toEqual(['sessionExpired']);
  });

  it('logs out, and another tab of the same app hears it', async () => {
    const { makeClient } = await setup();
    const tab1 = makeClient();
    const tab2 = makeClient();
    await tab1.client.login('alice', 'alice-password');
    await settle();
    await tab1.client.logout();
    await settle();
    expect(tab1.events).toEqual(['loggedIn', 'loggedOut']);
    expect(tab2.events).toEqual(['loggedIn', 'loggedOut']);
    await expect(tab1.client.me()).rejects.toMatchObject({ code: 'unauthenticated', status: 401 });
  });

  it("serves the app's own API calls through the same instance, with the CSRF header on writes", async () => {
    const { makeClient } = await setup();
    const { client } = makeClient();
    await client.login('alice', 'alice-password');
    // A write the gateway does not serve: the CSRF check passes (the header is there), then 404 not_found.
    await expect(client.http.delete('/api/auth/session')).rejects.toMatchObject({ code: 'not_found', status: 404 });
    const raw = createAuthClient({ baseURL: client.http.defaults.baseURL ?? '', mode: 'token' });
    clients.push(raw);
    await expect(raw.http.delete('/api/auth/session')).rejects.toMatchObject({ code: 'csrf_rejected', status: 403 });
  });
});
