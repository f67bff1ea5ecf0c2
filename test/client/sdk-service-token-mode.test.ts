import { afterAll, describe, expect, it } from '@jest/globals';
import { AuthError, createAuthClient, createServiceTokenApi, type AuthClient } from '../../src/client/index.js';
import { MovableClock } from '../support/clock.js';
import { startServiceTokenWorld, type ServiceTokenWorld } from './service-token-world.js';

const running: ServiceTokenWorld[] = [];
const clients: AuthClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(running.map((world) => world.close()));
});

/** A gateway with a fresh service token of alice's, and an SDK client holding it, with a clock of its own. */
async function setup(options: { refreshSkewSeconds?: number } = {}) {
  const world = await startServiceTokenWorld();
  running.push(world);
  const { token } = await world.create(`bot-${running.length}`);
  const clientClock = new MovableClock();
  const client = createAuthClient({
    baseURL: world.url,
    mode: 'service-token',
    serviceToken: token,
    now: clientClock.now,
    channelName: `service-token-${running.length}`,
    ...options,
  });
  clients.push(client);
  const events: string[] = [];
  for (const event of ['loggedIn', 'loggedOut', 'sessionExpired', 'refreshed'] as const)
    client.on(event, () => events.push(event));
  return { world, client, clientClock, events, token };
}

const meStatuses = (world: ServiceTokenWorld) =>
  world.gateway.logs
    .events('http.request')
    .filter((l) => l.path === '/api/auth/me')
    .map((l) => l.status);

describe('the SDK in service-token mode, against the real gateway', () => {
  it('exchanges the service token once and calls as its owner, for twenty concurrent calls', async () => {
    const { world, client, events } = await setup();
    const users = await Promise.all(Array.from({ length: 20 }, () => client.me()));
    expect(users.map((u) => u.username)).toEqual(Array(20).fill('alice'));
    expect(world.exchanges()).toBe(1);
    expect(events).toEqual(['refreshed']);
    expect(await client.session()).toEqual({
      authenticated: true,
      user: expect.objectContaining({ username: 'alice' }),
    });
  });

  it('exchanges refreshSkewSeconds before expiry, or halfway through a token that lives less than twice that', async () => {
    // The demo realm's access tokens live 300 s: the default skew of 300 s becomes 150 s.
    const { world, client, clientClock } = await setup();
    await client.me();
    clientClock.advanceSeconds(140);
    await client.me();
    expect(world.exchanges()).toBe(1);
    clientClock.advanceSeconds(20);
    await client.me();
    expect(world.exchanges()).toBe(2);

    const skew60 = await setup({ refreshSkewSeconds: 60 });
    await skew60.client.me();
    skew60.clientClock.advanceSeconds(230);
    await skew60.client.me();
    expect(skew60.world.exchanges()).toBe(1);
    skew60.clientClock.advanceSeconds(20);
    await skew60.client.me();
    expect(skew60.world.exchanges()).toBe(2);
  });

  it('on a 401 exchanges once for twenty failing calls and replays each of them once', async () => {
    const { world, client } = await setup();
    await client.me();
    // Time passes for the IdP and the gateway, not for the client, which still trusts its access token.
    world.idpClock.advanceSeconds(400);
    world.gatewayClock.advanceSeconds(400);
    const users = await Promise.all(Array.from({ length: 20 }, () => client.me()));
    expect(users.map((u) => u.username)).toEqual(Array(20).fill('alice'));
    expect(world.exchanges()).toBe(2);
    expect(meStatuses(world).sort()).toEqual([...Array(21).fill(200), ...Array(20).fill(401)].sort());
  });

  it('never loops: a call still refused after its one replay fails with the contract code', async () => {
    const { world, client } = await setup();
    await client.me();
    // Far enough that even the freshly exchanged access token looks expired to the gateway.
    world.gatewayClock.advanceSeconds(3600);
    const failure = await client.me().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AuthError);
    expect(failure).toMatchObject({ code: 'token_expired', status: 401, requestId: expect.any(String) });
    expect(world.exchanges()).toBe(2);
  });

  it('keeps the service token through a provider failure: that call fails with a 5xx, the next one works', async () => {
    const { world, client, events } = await setup();
    // Past the access token the gateway got at creation, so the exchange must go to the provider.
    world.idpClock.advanceSeconds(400);
    world.gatewayClock.advanceSeconds(400);
    world.provider.down = true;
    const failure = await client.me().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AuthError);
    expect((failure as AuthError).status).toBeGreaterThanOrEqual(502);
    expect(['idp_unavailable', 'idp_timeout', 'idp_error']).toContain((failure as AuthError).code);
    expect(events).toEqual([]);
    world.provider.down = false;
    expect((await client.me()).username).toBe('alice');
  });

  it('says sessionExpired once and fails with service_token_invalid when the service token is revoked', async () => {
    const { world, client, events, token } = await setup();
    await client.me();
    const api = createServiceTokenApi({ baseURL: world.url });
    await api.revoke(token, (await api.current(token)).id);
    await client.logout();
    const failures = await Promise.all(Array.from({ length: 5 }, () => client.me().catch((err: unknown) => err)));
    for (const failure of failures) expect(failure).toMatchObject({ code: 'service_token_invalid', status: 401 });
    expect(events.filter((e) => e === 'sessionExpired')).toHaveLength(1);
    expect(await client.session()).toEqual({ authenticated: false });
  });

  it('does not log in with a password, and needs its service token', async () => {
    const { client } = await setup();
    await expect(client.login('alice', 'alice-password')).rejects.toMatchObject({ code: 'invalid_request' });
    expect(() => createAuthClient({ baseURL: 'http://127.0.0.1:9', mode: 'service-token' })).toThrow(/serviceToken/);
  });

  it('says network_error when the gateway cannot be reached', async () => {
    const client = createAuthClient({ baseURL: 'http://127.0.0.1:9', mode: 'service-token', serviceToken: 'agst_x_y' });
    clients.push(client);
    await expect(client.me()).rejects.toMatchObject({ code: 'network_error', status: 0 });
  });
});
