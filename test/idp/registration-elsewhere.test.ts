import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startGenericIdp, type GenericIdp } from '../support/generic-idp/index.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';

// Registration creates accounts through Keycloak's Admin API. In front of another provider it is closed, and says so
// in the contract's words; nothing reaches the provider.
let idp: GenericIdp;
let gateway: TestGateway;

beforeAll(async () => {
  idp = await startGenericIdp({ accessTokenFormat: 'jwt' });
  gateway = buildTestGateway({
    idpUrl: idp.url,
    env: { IDP_ISSUER: idp.issuer, IDP_CLIENT_SECRET: idp.clientSecret },
  });
});

afterAll(async () => {
  await idp.close();
});

describe('registration in front of a provider without Keycloak Admin API', () => {
  it('is 403 registration_disabled, and the provider hears nothing of it', async () => {
    idp.clearSeen();
    const res = await request(gateway.app)
      .post('/api/auth/register')
      .send({ username: 'dora', email: 'dora@example.test', password: 'a-long-passphrase-1' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: { error: 'registration_disabled', message: 'Registration is not open on this gateway' },
    });
    expect(idp.seen).toEqual([]);
  });
});
