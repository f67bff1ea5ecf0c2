import type { Page } from 'playwright-core';
import type { ProviderKind, ProviderUnderTest } from './provider-under-test.js';

/**
 * The provider's own login page, as a browser test meets it at the end of GET /api/auth/login: Keycloak's login
 * theme (keycloak.v2: #username, #password, #kc-login, a refusal under the username) or the embedded IdP's plain form. The
 * suites say "sign in at the provider" and run unchanged on either.
 */
export interface ProviderLoginPage {
  /** Waits until the browser shows the provider's login form at the provider's authorization endpoint. */
  reached(page: Page): Promise<void>;
  /** Types the username and password into the provider's form and submits it. */
  signIn(page: Page, username: string, password: string): Promise<void>;
  /** The message the provider's page shows after a refused attempt. */
  error(page: Page): Promise<string>;
}

interface Selectors {
  username: string;
  password: string;
  submit: string;
  error: string;
}

// The embedded IdP's form and the generic provider's (test/support/generic-idp/login-page.ts) are alike.
const PLAIN_FORM: Selectors = {
  username: 'input[name=username]',
  password: 'input[name=password]',
  submit: 'button[type=submit]',
  error: '[role=alert]',
};

const SELECTORS: Record<ProviderKind, Selectors> = {
  keycloak: { username: '#username', password: '#password', submit: '#kc-login', error: '#input-error-username' },
  embedded: PLAIN_FORM,
  'generic-jwt': PLAIN_FORM,
  'generic-opaque': PLAIN_FORM,
};

export function providerLoginPage(provider: ProviderUnderTest): ProviderLoginPage {
  const selectors = SELECTORS[provider.kind];
  // Where the login page lives: Keycloak renders it at the authorization endpoint, the embedded IdP redirects to a
  // login-actions page of the same realm.
  const realmPages = `${provider.issuer.replace(/\/$/, '')}/`;
  return {
    async reached(page) {
      await page.waitForURL((url) => url.href.startsWith(realmPages));
      await page.locator(selectors.username).waitFor();
    },
    async signIn(page, username, password) {
      await page.fill(selectors.username, username);
      await page.fill(selectors.password, password);
      await page.click(selectors.submit);
    },
    async error(page) {
      const text = await page.locator(selectors.error).textContent();
      return (text ?? '').trim();
    },
  };
}
