import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { claims, header, login, OIDC, refresh, startTestIdp } from './helpers.js';

// Key rotation as Keycloak does it through its key providers: a new RS256 key of a higher priority signs new tokens at
// once, the JWKS lists every key present, and a removed key's tokens are refused (userinfo, introspection).
let idp: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

async function certs(): Promise<{ status: number; contentType: string | null; body: JSONWebKeySet }> {
  const res = await fetch(`${idp.issuer}${OIDC}/certs`);
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: (await res.json()) as JSONWebKeySet,
  };
}

async function userinfoStatus(accessToken: unknown): Promise<number> {
  const res = await fetch(`${idp.issuer}${OIDC}/userinfo`, {
    headers: { authorization: `Bearer ${String(accessToken)}` },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('signing keys of the embedded IdP', () => {
  it('start with one key of priority 100, the one the IdP was started with, published alone', async () => {
    const first = idp.signingKey.privateJwk.kid;
    expect(idp.signingKeys()).toEqual([{ kid: first, priority: 100, active: true }]);
    const { status, contentType, body } = await certs();
    expect({ status, contentType }).toEqual({ status: 200, contentType: 'application/json' });
    expect(body).toEqual({
      keys: [{ kty: 'RSA', use: 'sig', kid: first, alg: 'RS256', e: 'AQAB', n: expect.any(String) }],
    });
  });

  it('a key of higher priority signs the next tokens at once; both keys are published and both kinds of token verify', async () => {
    const before = await login(idp, 'alice', 'alice-password', { scope: 'openid' });
    const added = await idp.addSigningKey({ priority: 200 });
    const after = await login(idp, 'alice', 'alice-password', { scope: 'openid' });
    const refreshed = await refresh(idp, before.body?.refresh_token);

    expect(header(before.body?.access_token).kid).toBe(idp.signingKey.privateJwk.kid);
    expect(
      [after.body?.access_token, after.body?.id_token, refreshed.body?.access_token].map((t) => header(t).kid),
    ).toEqual([added, added, added]);
    expect(idp.signingKeys()).toEqual([
      { kid: idp.signingKey.privateJwk.kid, priority: 100, active: false },
      { kid: added, priority: 200, active: true },
    ]);
    const { body } = await certs();
    expect(body.keys.map((k) => k.kid)).toEqual([idp.signingKey.privateJwk.kid, added]);
    const keySet = createLocalJWKSet(body);
    for (const t of [before.body?.access_token, after.body?.access_token]) {
      await expect(jwtVerify(String(t), keySet, { issuer: idp.issuer })).resolves.toEqual(
        expect.objectContaining({ payload: claims(t) }),
      );
    }
    expect(
      await Promise.all([userinfoStatus(before.body?.access_token), userinfoStatus(after.body?.access_token)]),
    ).toEqual([200, 200]);
  });

  it('a removed key leaves the JWKS and its tokens are refused, while its refresh tokens (HS512) still refresh', async () => {
    const signedByOld = await login(idp, 'alice', 'alice-password', { scope: 'openid' });
    const newer = await idp.addSigningKey({ priority: 300 });
    const old = String(header(signedByOld.body?.access_token).kid);
    idp.removeSigningKey(old);

    expect((await certs()).body.keys.map((k) => k.kid)).not.toContain(old);
    expect(await userinfoStatus(signedByOld.body?.access_token)).toBe(401);
    const refreshed = await refresh(idp, signedByOld.body?.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(header(refreshed.body?.access_token).kid).toBe(newer);
    expect(await userinfoStatus(refreshed.body?.access_token)).toBe(200);
    expect(() => idp.removeSigningKey(old)).toThrow(`the realm has no signing key ${old}`);
  });

  it('refuses to remove the last key, which would leave nothing to sign with', async () => {
    const lone = await startTestIdp();
    try {
      expect(() => lone.removeSigningKey(lone.signingKey.privateJwk.kid ?? '')).toThrow(
        'the realm needs a signing key',
      );
      expect((await login(lone, 'alice', 'alice-password')).status).toBe(200);
    } finally {
      await lone.close();
    }
  });
});
