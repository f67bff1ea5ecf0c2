import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { TestGateway } from '../support/gateway.js';
import { providerSuite, providerUnderTest, type ProviderUnderTest } from '../support/provider-under-test.js';

// Runs on the embedded dev IdP (npm test) and on a real Keycloak (npm run test:keycloak): see provider-under-test.ts.
const describe = providerSuite('registration refusals');
const OPEN = { REGISTRATION_ENABLED: 'true' };
const NAMES = { first_name: 'Grace', last_name: 'Hopper' };

let provider: ProviderUnderTest;
let gateway: TestGateway;
let sessionGateway: TestGateway;

beforeAll(async () => {
  provider = await providerUnderTest({
    name: 'register-refusals',
    realm: (realm) => ({ ...realm, passwordPolicy: 'length(10) and notUsername' }),
  });
  gateway = provider.gateway({ env: OPEN });
  sessionGateway = provider.gateway({ mode: 'session', env: OPEN });
});

afterAll(async () => {
  await provider?.close();
});

function fresh(): { username: string; email: string } {
  const username = `ref-${randomUUID().slice(0, 8)}`;
  return { username, email: `${username}@example.test` };
}

function register(body: object, on: TestGateway = gateway) {
  return request(on.app).post('/api/auth/register').set('X-CSRF', '1').send(body);
}

describe('POST /api/auth/register refused', () => {
  it('a password shorter than the policy wants: 400 weak_password saying how long it must be', async () => {
    const res = await register({ ...fresh(), ...NAMES, password: 'short1' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'weak_password',
      message: 'The password must be at least 10 characters long',
      details: [{ field: 'password', problem: 'must be at least 10 characters long' }],
    });
  });

  it('the username as the password: 400 weak_password saying so', async () => {
    const who = { username: `ref-${randomUUID().slice(0, 8)}-long`, email: `${randomUUID()}@example.test` };
    const res = await register({ ...who, ...NAMES, password: who.username });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'weak_password',
      message: 'The password must not be the username',
      details: [{ field: 'password', problem: 'must not be the username' }],
    });
  });

  it('leaves no half-created account behind: after a refused password the username and email are still free', async () => {
    const who = fresh();
    expect((await register({ ...who, ...NAMES, password: 'short1' })).status).toBe(400);
    const again = await register({ ...who, ...NAMES, password: 'a-long-enough-password' });
    expect(again.status).toBe(201);
    expect(again.body.user).toMatchObject({ username: who.username, email: who.email });
  });

  it.each([
    ['a malformed email', { email: 'not-an-email' }, [{ field: 'email', problem: 'must be a valid email address' }]],
    [
      'a username with a space',
      { username: 'two words' },
      [{ field: 'username', problem: 'may contain only letters, digits and . _ - @ +' }],
    ],
    ['a username too short', { username: 'ab' }, [{ field: 'username', problem: 'must be at least 3 characters' }]],
    [
      'no username, email or password',
      { username: undefined, email: undefined, password: undefined },
      [
        { field: 'username', problem: 'is required' },
        { field: 'email', problem: 'is required' },
        { field: 'password', problem: 'is required' },
      ],
    ],
    [
      'both a full name and first and last names',
      { full_name: 'Grace Hopper' },
      [{ field: 'full_name', problem: 'give either full_name or first_name and last_name, not both' }],
    ],
  ])(
    '%s: 400 invalid_request with the field in details, and nothing sent to the provider',
    async (_, change, details) => {
      provider.clearSeen();
      const res = await register({ ...fresh(), ...NAMES, password: 'a-long-enough-password', ...change });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_request', message: 'Some fields are invalid', details });
      expect(provider.seen).toEqual([]);
    },
  );

  it("a last name the realm's user profile refuses: 400 invalid_request naming last_name", async () => {
    const res = await register({
      ...fresh(),
      first_name: 'Bobby',
      last_name: 'Tables<>',
      password: 'a-long-enough-password',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      message: 'Some fields are invalid',
      details: [{ field: 'last_name', problem: 'contains characters the realm does not accept' }],
    });
  });

  it('without a name, which the realm\'s user profile wants before a login: 201, login "account_not_ready", no session', async () => {
    const who = fresh();
    const agent = request.agent(sessionGateway.app);
    const res = await agent
      .post('/api/auth/register')
      .set('X-CSRF', '1')
      .send({ ...who, password: 'a-long-enough-password' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Registration successful',
      user: { sub: expect.any(String), username: who.username, email: who.email, name: null, roles: [] },
      login: 'account_not_ready',
    });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await agent.get('/api/auth/session')).body).toEqual({ authenticated: false });
  });

  it('a refused registration spends nothing of the login budget: the login after four of them succeeds', async () => {
    const budgetGateway = provider.gateway({
      env: { ...OPEN, LOGIN_FAILURES_PER_IP: '1', LOGIN_FAILURES_PER_USER: '1' },
    });
    const who = fresh();
    for (let i = 0; i < 3; i += 1)
      expect((await register({ ...who, ...NAMES, password: 'short1' }, budgetGateway)).status).toBe(400);
    expect(
      (await register({ ...who, username: 'alice', ...NAMES, password: 'a-long-enough-password' }, budgetGateway))
        .status,
    ).toBe(409);
    const login = await request(budgetGateway.app)
      .post('/api/auth/login')
      .send({ username: 'alice', password: 'alice-password' });
    expect(login.status).toBe(200);
  });
});
