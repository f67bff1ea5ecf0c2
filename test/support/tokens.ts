import { expect } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

/** Logs in through the gateway and returns the tokens, failing the test if the login does not succeed. */
export async function loginThrough(
  app: Express,
  username = 'alice',
  password = `${username}-password`,
): Promise<IssuedTokens> {
  const res = await request(app).post('/api/auth/login').send({ username, password });
  expect(res.status).toBe(200);
  return res.body.token as IssuedTokens;
}

/** The token object of a token-mode login or refresh against the demo realm's default lifespans. */
export function demoTokenBody(): unknown {
  return {
    access_token: expect.stringMatching(/^eyJ/),
    refresh_token: expect.any(String),
    id_token: expect.stringMatching(/^eyJ/),
    expires_in: 300,
    refresh_expires_in: 1800,
    token_type: 'Bearer',
    scope: expect.stringContaining('openid'),
  };
}
