import { describe, expect, it } from '@jest/globals';
import { redact } from '../../src/observability/redact.js';

describe('redact', () => {
  it('masks values under secret-sounding keys at any depth', () => {
    expect(
      redact({ user: 'alice', password: 'hunter2', nested: { refresh_token: 'abc', client_secret: 's' } }),
    ).toEqual({
      user: 'alice',
      password: '[REDACTED]',
      nested: { refresh_token: '[REDACTED]', client_secret: '[REDACTED]' },
    });
  });

  it('masks JWT-shaped strings wherever they appear in free text', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    expect(redact({ msg: `got ${jwt} from the idp` })).toEqual({ msg: 'got [REDACTED] from the idp' });
  });

  it('masks an unsigned JWT with an empty claim set and an encrypted JWT whose key part is empty', () => {
    const unsigned = 'eyJhbGciOiJub25lIn0.e30.';
    const encrypted = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.Y2lwaGVydGV4dA.AAAAAAAAAAAAAAAAAAAAAA';
    expect(redact({ msg: `saw ${unsigned} and ${encrypted} today` })).toEqual({
      msg: 'saw [REDACTED] and [REDACTED] today',
    });
  });

  it('masks values under the other names secrets go by: pwd, API and private keys, session ids, sid, jwt, bearer', () => {
    const record = {
      pwd: 'a',
      'X-Api-Key': 'b',
      apiKey: 'c',
      private_key: 'd',
      sessionId: 'e',
      session_id: 'f',
      SID: 'g',
      jwt: 'h',
      bearer: 'i',
      user: 'alice',
    };
    expect(redact(record)).toEqual({
      ...Object.fromEntries(Object.keys(record).map((k) => [k, '[REDACTED]'])),
      user: 'alice',
    });
  });

  it('keeps booleans under secret-sounding keys, since they say whether, not what', () => {
    expect(redact({ hasRefreshToken: true })).toEqual({ hasRefreshToken: true });
  });
});
