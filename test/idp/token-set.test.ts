import { describe, expect, it } from '@jest/globals';
import { withOpenId } from '../../src/idp/token-set.js';

// The scope a login sends: Keycloak names the refused scopes in the order it was sent ("Invalid scopes: unknown-scope
// openid", seen on 26.5.6 and 26.7.3 by test/keycloak/provider-errors.test.ts), so the client's scopes go first.
describe('the scope a login asks for', () => {
  it.each([
    [undefined, ['openid'], 'openid'],
    ['unknown-scope', ['openid'], 'unknown-scope openid'],
    ['openid offline_access', ['openid'], 'openid offline_access'],
    [undefined, ['openid', 'profile', 'email'], 'openid profile email'],
    ['offline_access email', ['openid', 'profile', 'email'], 'offline_access email openid profile'],
  ])('is the client scope %j with the base scopes %j: %j', (scope, base, sent) => {
    expect(withOpenId(scope, base)).toBe(sent);
  });
});
