import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthError, createAuthClient, type AuthClient, type AuthMode } from '../../src/client/index.js';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { buildTestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen } from '../support/listen.js';

const running: { close(): Promise<void> }[] = [];
const clients: AuthClient[] = [];
let idp: DevIdp;
let serial = 0;

beforeAll(async () => {
  idp = await startTestIdp();
  running.push(idp);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(running.map((r) => r.close()));
});

async function clientFor(mode: 'session' | 'token', env: Record<string, string> = {}) {
  const gateway = buildTestGateway({ idpUrl: idp.url, mode, env: { REGISTRATION_ENABLED: 'true', ...env } });
  const server = await listen(gateway.app);
  running.push(server);
  const client = createAuthClient({ baseURL: server.url, mode: mode satisfies AuthMode, channelName: `reg-${serial}` });
  clients.push(client);
  const events: string[] = [];
  client.on('loggedIn', () => events.push('loggedIn'));
  return { client, events };
}

function person() {
  serial += 1;
  return {
    username: `sdk-${serial}`,
    email: `sdk-${serial}@example.test`,
    password: 'a-good-password',
    full_name: 'Sdk Person',
  };
}

describe('auth.register, against the real gateway and the embedded IdP', () => {
  it.each(['session', 'token'] as const)(
    '%s mode: registers, is logged in as the new user, and announces loggedIn',
    async (mode) => {
      const { client, events } = await clientFor(mode);
      const who = person();
      const result = await client.register(who);
      expect(result).toEqual({
        loggedIn: true,
        user: expect.objectContaining({ username: who.username, email: who.email, name: 'Sdk Person' }),
        ...(mode === 'session' ? { session: expect.objectContaining({ expires_at: expect.any(String) }) } : {}),
      });
      expect(await client.me()).toEqual(result.user);
      expect(await client.session()).toMatchObject({ authenticated: true, user: { username: who.username } });
      expect(events).toEqual(['loggedIn']);
    },
  );

  it.each(['session', 'token'] as const)(
    '%s mode: a taken username is an AuthError user_exists whose details name the field',
    async (mode) => {
      const { client, events } = await clientFor(mode);
      const failure = await client.register({ ...person(), username: 'alice' }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(AuthError);
      expect(failure).toMatchObject({
        code: 'user_exists',
        status: 409,
        details: [{ field: 'username', problem: 'is already taken' }],
      });
      expect(events).toEqual([]);
    },
  );

  it('a weak password is weak_password with the rule to follow; with auto-login off the user is not logged in', async () => {
    const { client, events } = await clientFor('token', { REGISTRATION_AUTO_LOGIN: 'false' });
    await expect(client.register({ ...person(), password: 'short' })).rejects.toMatchObject({
      code: 'weak_password',
      message: 'The password must be at least 8 characters long',
      details: [{ field: 'password', problem: 'must be at least 8 characters long' }],
    });
    const who = person();
    expect(await client.register(who)).toEqual({
      loggedIn: false,
      login: 'disabled',
      user: { sub: expect.any(String), username: who.username, email: who.email, name: 'Sdk Person', roles: [] },
    });
    expect(await client.session()).toEqual({ authenticated: false });
    expect(events).toEqual([]);
  });

  it('a gateway that does not register answers registration_disabled', async () => {
    const { client } = await clientFor('session', { REGISTRATION_ENABLED: 'false' });
    await expect(client.register(person())).rejects.toMatchObject({ code: 'registration_disabled', status: 403 });
  });
});
