import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { buildTestGateway } from '../support/gateway.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  KEYCLOAK_URL: 'https://sso.example.com',
  PUBLIC_URL: 'https://app.example.com',
  TRUST_PROXY: '1',
};

describe('the demo SPA route', () => {
  it('serves the page and the bundled SDK in development session mode', async () => {
    const { app } = buildTestGateway({ idpUrl: 'http://127.0.0.1:9', mode: 'session' });
    const page = await request(app).get('/demo/');
    expect({ status: page.status, type: page.type }).toEqual({ status: 200, type: 'text/html' });
    expect(page.text).toContain('<script type="module" src="/demo/app.js">');
    const sdk = await request(app).get('/demo/authgate-client.js');
    expect({ status: sdk.status, type: sdk.type }).toEqual({ status: 200, type: 'text/javascript' });
    expect(sdk.text).toMatch(/export\s*\{[^}]*createAuthClient/);
  });

  it('does not exist in production or in token mode', async () => {
    for (const gateway of [
      buildTestGateway({ idpUrl: 'https://sso.example.com', mode: 'session', env: PRODUCTION }),
      buildTestGateway({ idpUrl: 'http://127.0.0.1:9', mode: 'token' }),
    ]) {
      for (const path of ['/demo/', '/demo/authgate-client.js', '/demo/app.js']) {
        const res = await request(gateway.app).get(path);
        expect({ path, status: res.status, body: res.body }).toEqual({
          path,
          status: 404,
          body: { error: 'not_found', message: 'No such endpoint' },
        });
      }
    }
  });
});
