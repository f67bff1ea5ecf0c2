import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { introspect, login, oauthError, refresh, startGenericIdp, userinfo, type GenericIdp } from './helpers.js';

const INVALID_GRANT = oauthError(400, 'invalid_grant', 'grant request is invalid');

describe.each(['opaque', 'jwt'] as const)('refresh tokens with %s access tokens', (format) => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: format });
  });
  afterAll(() => idp.close());

  it('rotates: each refresh answers a new refresh token and a new token set of the same scope', async () => {
    const first = await login(idp, 'alice', { scope: 'openid email' });
    const second = await refresh(idp, String(first.body!.refresh_token));
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      access_token: expect.any(String),
      expires_in: 300,
      id_token: expect.any(String),
      refresh_token: expect.any(String),
      scope: 'openid email',
      token_type: 'Bearer',
    });
    expect(second.body!.refresh_token).not.toBe(first.body!.refresh_token);
    expect(decodeJwt(String(second.body!.id_token))).toMatchObject({
      sub: decodeJwt(String(first.body!.id_token)).sub,
      roles: ['user', 'offline_access'],
      email: 'alice@example.test',
    });
    if (format === 'jwt') expect(decodeJwt(String(second.body!.access_token)).aud).toBe(idp.resource);
  });

  it('treats a rotated-away refresh token used again as theft: refused, and the whole grant revoked', async () => {
    const first = await login(idp);
    const second = await refresh(idp, String(first.body!.refresh_token));
    const reused = await refresh(idp, String(first.body!.refresh_token));
    expect({ status: reused.status, body: reused.body }).toEqual(INVALID_GRANT);
    const latest = await refresh(idp, String(second.body!.refresh_token));
    expect({ status: latest.status, body: latest.body }).toEqual(INVALID_GRANT);
    expect(await idp.sessionActive(String(second.body!.refresh_token))).toBe(false);
    if (format === 'opaque') {
      expect((await introspect(idp, String(second.body!.access_token))).body).toEqual({ active: false });
      expect((await userinfo(idp, String(second.body!.access_token))).status).toBe(401);
    }
  });

  it('says a grant is held whether asked with its latest or a rotated-away refresh token', async () => {
    const first = await login(idp);
    const second = await refresh(idp, String(first.body!.refresh_token));
    expect(await idp.sessionActive(String(first.body!.refresh_token))).toBe(true);
    expect(await idp.sessionActive(String(second.body!.refresh_token))).toBe(true);
    expect(await idp.sessionActive('never-issued')).toBe(false);
  });

  it('refuses an unknown refresh token with the same answer as a reused one', async () => {
    const res = await refresh(idp, 'never-issued');
    expect({ status: res.status, body: res.body }).toEqual(INVALID_GRANT);
  });
});

describe('refresh token lifetimes and offline access', () => {
  it('refuses an expired refresh token with the same invalid_grant', async () => {
    const idp = await startGenericIdp({ accessTokenFormat: 'opaque', refreshTokenSeconds: 1 });
    try {
      const first = await login(idp);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const res = await refresh(idp, String(first.body!.refresh_token));
      expect({ status: res.status, body: res.body }).toEqual(INVALID_GRANT);
    } finally {
      await idp.close();
    }
  });

  it('issues refresh tokens only for offline_access when told to, as many hosted providers do', async () => {
    const idp = await startGenericIdp({ accessTokenFormat: 'opaque', refreshTokenNeedsOfflineAccess: true });
    try {
      expect((await login(idp)).body).not.toHaveProperty('refresh_token');
      const offline = await login(idp, 'alice', { scope: 'openid offline_access' });
      expect(offline.body).toMatchObject({ refresh_token: expect.any(String), scope: 'openid offline_access' });
    } finally {
      await idp.close();
    }
  });
});
