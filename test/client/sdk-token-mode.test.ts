import { afterAll, describe, expect, it } from '@jest/globals';
import { AuthError, createAuthClient, memoryStorage, type AuthClient } from '../../src/client/index.js';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen } from '../support/listen.js';

// Each test has its own IdP, gateway and client, each with a clock the test moves on its own.
let idp: DevIdp;
let idpClock: MovableClock;
const running: { close(): Promise<void> }[] = [];
const clients: AuthClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(running.map((r) => r.close()));
});

/** A token-mode gateway on a real port and an SDK client for it, each with a clock the test moves on its own. */
async function setup(): Promise<{
  client: AuthClient;
  gateway: TestGateway;
  gatewayClock: MovableClock;
  clientClock: MovableClock;
  events: string[];
}> {
  idpClock = new MovableClock();
  idp = await startTestIdp({ now: idpClock.now });
  running.push(idp);
  const gatewayClock = new MovableClock();
  const clientClock = new MovableClock();
  const gateway = buildTestGateway({ idpUrl: idp.url, mode: 'token', clock: gatewayClock });
  const server = await listen(gateway.app);
  running.push(server);
  const client = createAuthClient({
    baseURL: server.url,
    mode: 'token',
    now: clientClock.now,
    storage: memoryStorage(),
    channelName: `token-${running.length}`,
  });
  clients.push(client);
  const events: string[] = [];
  for (const event of ['loggedIn', 'loggedOut', 'sessionExpired', 'refreshed'] as const)
    client.on(event, () => events.push(event));
  return { client, gateway, gatewayClock, clientClock, events };
}

const refreshGrants = () => idp.seen.filter((s) => s.grantType === 'refresh_token');

describe('the SDK in token mode, against the real gateway', () => {
  it('logs in, attaches the bearer token, and answers who is logged in', async () => {
    const { client, events } = await setup();
    const { user } = await client.login('alice', 'alice-password');
    expect(user).toEqual(expect.objectContaining({ username: 'alice' }));
    expect(await client.me()).toEqual(expect.objectContaining({ username: 'alice', email: 'alice@example.test' }));
    expect(await client.session()).toEqual({
      authenticated: true,
      user: expect.objectContaining({ username: 'alice' }),
    });
    expect(events).toEqual(['loggedIn']);
  });

  it('refreshes before the call when the token is about to expire: twenty concurrent calls, one refresh', async () => {
    const { client, gatewayClock, clientClock, events } = await setup();
    await client.login('alice', 'alice-password');
    clientClock.advanceSeconds(250);
    gatewayClock.advanceSeconds(250);
    idp.clearSeen();
    const users = await Promise.all(Array.from({ length: 20 }, () => client.me()));
    expect(users.map((u) => u.username)).toEqual(Array(20).fill('alice'));
    expect(refreshGrants()).toEqual([expect.objectContaining({ status: 200 })]);
    expect(events).toEqual(['loggedIn', 'refreshed']);
  });

  it('on 401 token_expired refreshes once for twenty failing calls and replays each of them once', async () => {
    const { client, gateway, gatewayClock } = await setup();
    await client.login('alice', 'alice-password');
    // Time passes for the IdP and the gateway (past the 5 s tolerance), not for the client, which does not know yet.
    idpClock.advanceSeconds(320);
    gatewayClock.advanceSeconds(320);
    idp.clearSeen();
    const users = await Promise.all(Array.from({ length: 20 }, () => client.me()));
    expect(users.map((u) => u.username)).toEqual(Array(20).fill('alice'));
    expect(refreshGrants()).toHaveLength(1);
    const meCalls = gateway.logs.events('http.request').filter((l) => l.path === '/api/auth/me');
    expect(meCalls.map((l) => l.status).sort()).toEqual([...Array(20).fill(200), ...Array(20).fill(401)].sort());
  });

  it('never loops: a call still refused after its one replay fails with the contract code', async () => {
    const { client, gatewayClock } = await setup();
    await client.login('alice', 'alice-password');
    // Far enough that even freshly issued tokens look expired to the gateway.
    gatewayClock.advanceSeconds(3600);
    idp.clearSeen();
    const failure = await client.me().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AuthError);
    expect(failure).toMatchObject({
      code: 'token_expired',
      status: 401,
      requestId: expect.stringMatching(/^[\w-]{36}$/),
    });
    expect(refreshGrants()).toHaveLength(1);
  });

  it('clears the tokens and says sessionExpired exactly once when the refresh is refused', async () => {
    const { client, gatewayClock, events } = await setup();
    await client.login('alice', 'alice-password');
    idpClock.advanceSeconds(1801);
    gatewayClock.advanceSeconds(320);
    idp.clearSeen();
    const failures = await Promise.all(Array.from({ length: 10 }, () => client.me().catch((err: unknown) => err)));
    // The calls that failed together hear the refused refresh, or the expiry they met after the tokens were cleared.
    expect(failures.every((f) => f instanceof AuthError && ['invalid_grant', 'token_expired'].includes(f.code))).toBe(
      true,
    );
    expect(failures.map((f) => (f as AuthError).code)).toContain('invalid_grant');
    expect(refreshGrants()).toEqual([expect.objectContaining({ status: 400, error: 'invalid_grant' })]);
    expect(events.filter((e) => e === 'sessionExpired')).toHaveLength(1);
    expect(await client.session()).toEqual({ authenticated: false });
    await expect(client.me()).rejects.toMatchObject({ code: 'unauthenticated', status: 401 });
  });

  it('surfaces the contract code, status and request id of a failed login', async () => {
    const { client } = await setup();
    const failure = await client.login('alice', 'wrong').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AuthError);
    expect(failure).toMatchObject({
      name: 'AuthError',
      code: 'invalid_credentials',
      status: 401,
      message: 'Invalid username or password',
      requestId: expect.any(String),
    });
    await expect(client.login('bob', 'bob-password')).rejects.toMatchObject({ code: 'account_disabled', status: 403 });
    await expect(client.login('', '')).rejects.toMatchObject({ code: 'credentials_required', status: 400 });
  });

  it('logs out: the provider session ends, the tokens are gone, loggedOut is heard', async () => {
    const { client, events } = await setup();
    await client.login('alice', 'alice-password');
    idp.clearSeen();
    await client.logout();
    expect(idp.seen).toEqual([expect.objectContaining({ endpoint: 'logout', status: 204 })]);
    expect(events).toEqual(['loggedIn', 'loggedOut']);
    expect(await client.session()).toEqual({ authenticated: false });
  });

  it('says network_error when the gateway cannot be reached', async () => {
    const client = createAuthClient({ baseURL: 'http://127.0.0.1:9', mode: 'token' });
    clients.push(client);
    await expect(client.login('alice', 'alice-password')).rejects.toMatchObject({ code: 'network_error', status: 0 });
  });
});
