import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { TestGateway } from '../support/gateway.js';
import { providerSuite, providerUnderTest, type ProviderUnderTest } from '../support/provider-under-test.js';

// Runs on the embedded dev IdP (npm test) and on a real Keycloak (npm run test:keycloak): see provider-under-test.ts.
const describe = providerSuite('registration');
const CSRF = { 'X-CSRF': '1' };
const OPEN = { REGISTRATION_ENABLED: 'true' };

let provider: ProviderUnderTest;
let tokenGateway: TestGateway;
let sessionGateway: TestGateway;
let quietGateway: TestGateway;

beforeAll(async () => {
  provider = await providerUnderTest({
    name: 'register',
    realm: (realm) => ({ ...realm, passwordPolicy: 'length(8) and notUsername' }),
  });
  tokenGateway = provider.gateway({ env: OPEN });
  sessionGateway = provider.gateway({ mode: 'session', env: OPEN });
  quietGateway = provider.gateway({ env: { ...OPEN, REGISTRATION_AUTO_LOGIN: 'false' } });
});

afterAll(async () => {
  await provider?.close();
});

/** A name no other test (nor an earlier run on the same Keycloak) has used. */
function fresh(stem = 'reg'): { username: string; email: string } {
  const username = `${stem}-${randomUUID().slice(0, 8)}`;
  return { username, email: `${username}@example.test` };
}

function register(gateway: TestGateway, body: object) {
  return request(gateway.app).post('/api/auth/register').send(body);
}

const PERSON = { first_name: 'Ada', last_name: 'Lovelace', password: 'analytical-engine' };

describe('POST /api/auth/register', () => {
  it('token mode: creates the account, logs it in and answers 201 with the tokens and the user card', async () => {
    const who = fresh();
    provider.clearSeen();
    const res = await register(tokenGateway, { ...who, ...PERSON });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Registration successful',
      user: {
        sub: expect.stringMatching(/^[\w-]{36}$/),
        username: who.username,
        email: who.email,
        name: 'Ada Lovelace',
        roles: expect.any(Array),
      },
      token: expect.objectContaining({ access_token: expect.stringMatching(/^eyJ/), token_type: 'Bearer' }),
    });
    expect(res.headers['cache-control']).toBe('no-store');
    // Besides the service account's own token for the Admin API, one password grant: the login.
    expect(provider.seen.filter((s) => s.grantType !== 'client_credentials')).toEqual([
      expect.objectContaining({ endpoint: 'token', grantType: 'password', clientId: 'authgate', status: 200 }),
    ]);
    const me = await request(tokenGateway.app)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${res.body.token.access_token}`);
    expect(me.body.user).toEqual(res.body.user);
  });

  it('session mode: sets the session cookie as login does, and the browser is logged in as the new user', async () => {
    const who = fresh();
    const agent = request.agent(sessionGateway.app);
    const res = await agent
      .post('/api/auth/register')
      .set(CSRF)
      .send({ ...who, ...PERSON });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Registration successful',
      user: expect.objectContaining({ username: who.username, email: who.email, name: 'Ada Lovelace' }),
      session: { expires_at: expect.any(String), access_expires_at: expect.any(String) },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/eyJ/);
    expect(String(res.headers['set-cookie'])).toMatch(/authgate\.sid=.*HttpOnly/);
    const session = await agent.get('/api/auth/session');
    expect(session.body).toEqual({ authenticated: true, user: res.body.user, expires_at: expect.any(String) });
  });

  it('session mode: a registration without X-CSRF is 403 csrf_rejected and creates nobody', async () => {
    const who = fresh();
    const refused = await register(sessionGateway, { ...who, ...PERSON });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'csrf_rejected', message: expect.any(String) });
    const later = await register(tokenGateway, { ...who, ...PERSON });
    expect(later.status).toBe(201);
  });

  it('with REGISTRATION_AUTO_LOGIN off: 201 with the card and login "disabled", and no password grant at all', async () => {
    const who = fresh();
    provider.clearSeen();
    const res = await register(quietGateway, { ...who, full_name: 'Augusta Ada King', password: 'analytical-engine' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Registration successful',
      user: {
        sub: expect.stringMatching(/^[\w-]{36}$/),
        username: who.username,
        email: who.email,
        name: 'Augusta Ada King',
        roles: [],
      },
      login: 'disabled',
    });
    expect(provider.seen.filter((s) => s.grantType === 'password')).toEqual([]);
    // full_name was split at its last space: first name "Augusta Ada", last name "King".
    const login = await request(tokenGateway.app)
      .post('/api/auth/login')
      .send({ username: who.username, password: 'analytical-engine' });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ sub: res.body.user.sub, name: 'Augusta Ada King' });
  });

  it('form-encoded, with stray spaces and capitals: stores the trimmed, lower-cased username and email', async () => {
    const who = fresh('Form');
    const res = await request(tokenGateway.app)
      .post('/api/auth/register')
      .type('form')
      .send({ username: `  ${who.username.toUpperCase()} `, email: ` ${who.email.toUpperCase()}`, ...PERSON });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ username: who.username.toLowerCase(), email: who.email.toLowerCase() });
  });

  it('a taken username is 409 user_exists naming the username; a taken email names the email', async () => {
    const who = fresh();
    expect((await register(quietGateway, { ...who, ...PERSON })).status).toBe(201);
    const sameName = await register(tokenGateway, { ...fresh(), username: who.username, ...PERSON });
    expect(sameName.status).toBe(409);
    expect(sameName.body).toEqual({
      error: 'user_exists',
      message: 'An account with this username already exists',
      details: [{ field: 'username', problem: 'is already taken' }],
    });
    const sameEmail = await register(tokenGateway, { ...fresh(), email: who.email.toUpperCase(), ...PERSON });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body).toEqual({
      error: 'user_exists',
      message: 'An account with this email already exists',
      details: [{ field: 'email', problem: 'is already taken' }],
    });
  });

  it("alice's username is taken too: the demo realm's own users count", async () => {
    const res = await register(tokenGateway, { ...fresh(), username: 'alice', ...PERSON });
    expect(res.status).toBe(409);
    expect(res.body.details).toEqual([{ field: 'username', problem: 'is already taken' }]);
  });

  it('two registrations of one name at the same moment: one 201, one 409 user_exists', async () => {
    const who = fresh('race');
    const answers = await Promise.all([
      register(quietGateway, { ...who, ...PERSON }),
      register(quietGateway, { ...who, email: `other-${who.email}`, ...PERSON }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const refused = answers.find((a) => a.status === 409);
    expect(refused?.body).toEqual({
      error: 'user_exists',
      message: 'An account with this username already exists',
      details: [{ field: 'username', problem: 'is already taken' }],
    });
  });
});
