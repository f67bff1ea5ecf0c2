import { expect } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { ServiceTokenStore } from '../../src/service-tokens/service-token-store.js';
import type { TestGateway } from '../support/gateway.js';

export const TOKEN_SHAPE = /^agst_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const INVALID = { error: 'service_token_invalid', message: 'The service token is not valid' };
export const EXPIRED = { error: 'service_token_expired', message: 'The service token has expired; create a new one' };
export const FORBIDDEN = { error: 'forbidden', message: 'The caller is not allowed to do this' };

export interface Created {
  token: string;
  id: string;
  body: Record<string, unknown>;
}

/** Creates a token through the gateway, failing the test unless it answers 201. */
export async function createToken(
  app: Express,
  fields: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Created> {
  const res = await request(app)
    .post('/api/auth/service-tokens')
    .set(headers)
    .send({ username: 'alice', password: 'alice-password', name: 'nightly report', days: 30, ...fields });
  expect({ status: res.status, error: res.body.error }).toEqual({ status: 201, error: undefined });
  const body = res.body as { token: string; service_token: { id: string } };
  return { token: body.token, id: body.service_token.id, body: res.body as Record<string, unknown> };
}

export function exchange(app: Express, token: string) {
  return request(app).post('/api/auth/service-token/refresh').set('Authorization', `Bearer ${token}`);
}

/** Refresh grants the embedded IdP answered since its last clearSeen. */
export function refreshGrants(idp: DevIdp): number {
  return idp.seen.filter((s) => s.endpoint === 'token' && s.grantType === 'refresh_token').length;
}

/** The offline token the gateway keeps behind a service token, read as the gateway reads it. */
export async function offlineTokenOf(gateway: TestGateway, id: string): Promise<string> {
  const store = new ServiceTokenStore(gateway.stores.durable, gateway.codec, gateway.clock);
  const record = await store.read(id);
  if (!record) throw new Error(`no service token ${id}`);
  return record.offlineToken;
}

/** Ends an offline session at the provider behind the gateway's back, as an administrator would. */
export async function endAtProvider(idp: DevIdp, offlineToken: string): Promise<void> {
  const res = await fetch(`${idp.issuer}/protocol/openid-connect/logout`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: 'authgate',
      client_secret: 'authgate-dev-secret',
      refresh_token: offlineToken,
    }),
  });
  expect(res.status).toBe(204);
}
