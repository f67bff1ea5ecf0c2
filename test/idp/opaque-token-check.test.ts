import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startGenericIdp, type GenericIdp } from '../support/generic-idp/index.js';
import { buildTestGateway } from '../support/gateway.js';

// Opaque access tokens are asked of the provider's introspection endpoint, which answers an unknown token with
// {"active":false}. A 401 there refuses the gateway's own client: the operators' fault, never the user's.
let idp: GenericIdp;

beforeAll(async () => {
  idp = await startGenericIdp({ accessTokenFormat: 'opaque' });
});

afterAll(async () => {
  await idp.close();
});

const gatewayWith = (secret: string) =>
  buildTestGateway({
    idpUrl: idp.url,
    env: { IDP_ISSUER: idp.issuer, IDP_CLIENT_SECRET: secret, IDP_ACCESS_TOKENS: 'opaque' },
  });

describe('an opaque access token at token-mode /me', () => {
  it('that the provider does not know is 401 unauthenticated', async () => {
    const res = await request(gatewayWith(idp.clientSecret).app)
      .get('/api/auth/me')
      .set('authorization', 'Bearer an-opaque-token-nobody-issued');
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { error: 'unauthenticated', message: 'Authentication is required' },
    });
  });

  it("is 502 unauthorized_client when introspection refuses the gateway's client, not the user's 401", async () => {
    const res = await request(gatewayWith('not-the-client-secret').app)
      .get('/api/auth/me')
      .set('authorization', 'Bearer an-opaque-token-nobody-issued');
    expect({ status: res.status, body: res.body }).toEqual({
      status: 502,
      body: {
        error: 'unauthorized_client',
        message: 'The identity provider rejected the gateway client; this is a deployment fault',
      },
    });
    expect(idp.seen.at(-1)).toMatchObject({ endpoint: 'introspection', status: 401, error: 'invalid_client' });
  });
});
