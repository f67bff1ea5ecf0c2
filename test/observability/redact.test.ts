import { describe, expect, it } from '@jest/globals';
import { redact } from '../../src/observability/redact.js';

describe('redact', () => {
  it('masks values under secret-sounding keys at any depth', () => {
    expect(redact({ user: 'alice', password: 'hunter2', nested: { refresh_token: 'abc', client_secret: 's' } })).toEqual({
      user: 'alice',
      password: '[REDACTED]',
      nested: { refresh_token: '[REDACTED]', client_secret: '[REDACTED]' },
    });
  });

  it('masks JWT-shaped strings wherever they appear in free text', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    expect(redact({ msg: `got ${jwt} from the idp` })).toEqual({ msg: 'got [REDACTED] from the idp' });
  });

  it('keeps booleans under secret-sounding keys, since they say whether, not what', () => {
    expect(redact({ hasRefreshToken: true })).toEqual({ hasRefreshToken: true });
  });
});
