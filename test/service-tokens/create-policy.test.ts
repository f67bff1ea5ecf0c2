import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import type { Realm, RealmFile } from '../../src/dev-idp/index.js';
import { buildTestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { FORBIDDEN, createToken } from './helpers.js';

const DAY = 86400;
let shortRealm: DevIdp;
let cappedRealm: DevIdp;
let demo: DevIdp;

/** The gateway's service account may read the realm's settings (realm-management view-realm). */
function readable(realm: Realm): RealmFile {
  return {
    ...realm,
    users: realm.users.map((u) =>
      u.serviceAccountClientId === 'authgate'
        ? { ...u, clientRoles: { 'realm-management': [...(u.clientRoles['realm-management'] ?? []), 'view-realm'] } }
        : u,
    ),
  };
}

beforeAll(async () => {
  // Keycloak's defaults: offline sessions end after 30 days unused; and a realm with a max lifespan of 60 days.
  shortRealm = await startTestIdp({ realm: (r) => ({ ...readable(r), offlineSessionIdleTimeout: 30 * DAY }) });
  cappedRealm = await startTestIdp({
    realm: (r) => ({ ...readable(r), offlineSessionMaxLifespanEnabled: true, offlineSessionMaxLifespan: 60 * DAY }),
  });
  demo = await startTestIdp();
});
afterAll(async () => {
  await Promise.all([shortRealm?.close(), cappedRealm?.close(), demo?.close()]);
});

function create(app: Parameters<typeof request>[0], fields: Record<string, unknown>) {
  return request(app)
    .post('/api/auth/service-tokens')
    .send({ username: 'alice', password: 'alice-password', name: 'bot', ...fields });
}

const refused = (field: string, problem: string) => ({
  status: 400,
  body: {
    error: 'invalid_request',
    message: 'The realm or the gateway cannot keep a token that long',
    details: [{ field, problem }],
  },
});

describe('a lifetime the realm cannot keep is refused at creation, naming the limit', () => {
  it('past the offline session idle timeout', async () => {
    const { app } = buildTestGateway({ idpUrl: shortRealm.url });
    const res = await create(app, { days: 31 });
    expect({ status: res.status, body: res.body }).toEqual(
      refused('days', 'the realm ends an offline session unused for 30 days (offline session idle timeout)'),
    );
    const eternal = await create(app, { eternal: true });
    expect({ status: eternal.status, body: eternal.body }).toEqual(
      refused('eternal', 'the realm ends an offline session unused for 30 days (offline session idle timeout)'),
    );
    await createToken(app, { days: 30 });
  });

  it('without view-realm the limits cannot be read: the create goes on and the provider’s limits apply', async () => {
    const unreadable = await startTestIdp({ realm: (r) => ({ ...r, offlineSessionIdleTimeout: 30 * DAY }) });
    try {
      const { app } = buildTestGateway({ idpUrl: unreadable.url });
      await createToken(app, { days: 31 });
    } finally {
      await unreadable.close();
    }
  });

  it('past the offline session max lifespan', async () => {
    const { app } = buildTestGateway({ idpUrl: cappedRealm.url });
    const res = await create(app, { days: 61 });
    expect({ status: res.status, body: res.body }).toEqual(
      refused('days', 'the realm ends every offline session after 60 days (offline session max lifespan)'),
    );
    const eternal = await create(app, { eternal: true });
    expect({ status: eternal.status, body: eternal.body }).toEqual(
      refused('eternal', 'the realm ends every offline session after 60 days (offline session max lifespan)'),
    );
  });

  it('the demo realm keeps the seed’s lifetimes: 365 days and eternal', async () => {
    const { app } = buildTestGateway({ idpUrl: demo.url });
    await createToken(app, { days: 365 });
    await createToken(app, { days: undefined, eternal: true });
  });
});

describe("the gateway's own limits", () => {
  it('SERVICE_TOKEN_MAX_DAYS and SERVICE_TOKENS_ETERNAL', async () => {
    const { app } = buildTestGateway({
      idpUrl: demo.url,
      env: { SERVICE_TOKEN_MAX_DAYS: '365', SERVICE_TOKENS_ETERNAL: 'false' },
    });
    const long = await create(app, { days: 366 });
    expect({ status: long.status, body: long.body }).toEqual(
      refused('days', 'must be at most 365 (SERVICE_TOKEN_MAX_DAYS)'),
    );
    const eternal = await create(app, { eternal: true });
    expect({ status: eternal.status, body: eternal.body }).toEqual(
      refused('eternal', 'tokens that never expire are not allowed here (SERVICE_TOKENS_ETERNAL)'),
    );
  });

  it('SERVICE_TOKEN_CREATOR_ROLE: an account without the role gets 403 and no offline session is left behind', async () => {
    const { app } = buildTestGateway({ idpUrl: demo.url, env: { SERVICE_TOKEN_CREATOR_ROLE: 'admin' } });
    demo.clearSeen();
    const res = await create(app, { days: 30 });
    expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: FORBIDDEN });
    expect(demo.seen).toContainEqual(expect.objectContaining({ endpoint: 'logout', status: 204 }));
    await createToken(app, { username: 'admin', password: 'admin-password' });
  });

  it('turned off, the routes are not there', async () => {
    const { app } = buildTestGateway({ idpUrl: demo.url, env: { SERVICE_TOKENS: 'false' } });
    const res = await create(app, { days: 30 });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'No such endpoint' },
    });
  });
});

describe('the password check is a login for the failure budget', () => {
  it('each wrong password counts once against the account, then 429 even with the right one', async () => {
    const { app } = buildTestGateway({ idpUrl: demo.url, env: { LOGIN_FAILURES_PER_USER: '2' } });
    for (let i = 0; i < 2; i += 1) {
      const wrong = await create(app, { password: 'wrong', days: 1 });
      expect(wrong.status).toBe(401);
    }
    const limited = await create(app, { days: 1 });
    expect({ status: limited.status, body: limited.body }).toEqual({
      status: 429,
      body: { error: 'rate_limited', message: 'Too many attempts; try again later' },
    });
    // The same budget as the login's: the account is limited there too.
    const login = await request(app).post('/api/auth/login').send({ username: 'alice', password: 'alice-password' });
    expect(login.status).toBe(429);
  });
});
