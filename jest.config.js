// Jest runs the ESM sources directly: openid-client, jose and oidc-provider are ESM-only.
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

// Suites written against test/support/provider-under-test.ts: the unit project runs them on the embedded dev IdP.
const PROVIDER_INDEPENDENT = [
  'test/http/token-mode-login.test.ts',
  'test/http/token-mode-refresh.test.ts',
  'test/http/token-mode-logout-me.test.ts',
  'test/http/token-mode-logout-session.test.ts',
  'test/http/registration.test.ts',
  'test/http/registration-refusals.test.ts',
  'test/http/registration-limits.test.ts',
  'test/sessions/session-mode.test.ts',
  'test/sessions/redis-cluster.test.ts',
  'test/browser/demo-spa.test.ts',
  'test/browser/demo-register.test.ts',
  'test/browser/sdk-token-mode-tabs.test.ts',
];

// Registration creates accounts through Keycloak's Admin API: a provider without it answers 403 registration_disabled,
// which test/idp/registration-elsewhere.test.ts shows; these suites run where the Admin API is.
const ADMIN_API_SUITES = [
  'test/http/registration.test.ts',
  'test/http/registration-refusals.test.ts',
  'test/http/registration-limits.test.ts',
  'test/browser/demo-register.test.ts',
];

export default {
  testTimeout: 20000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/keycloak/'],
    },
    // The same suites against a plain, non-Keycloak OpenID Connect provider, in each access-token format.
    ...['jwt', 'opaque'].map((format) => ({
      ...base,
      displayName: `generic-${format}`,
      testMatch: PROVIDER_INDEPENDENT.filter((path) => !ADMIN_API_SUITES.includes(path)).map(
        (path) => `<rootDir>/${path}`,
      ),
      setupFiles: [`<rootDir>/test/support/generic-idp/env-${format}.ts`],
    })),
    {
      ...base,
      displayName: 'keycloak',
      // Plus the suites whose behaviour must not depend on the provider, run here against a real Keycloak.
      testMatch: ['<rootDir>/test/keycloak/**/*.test.ts', ...PROVIDER_INDEPENDENT.map((path) => `<rootDir>/${path}`)],
      setupFiles: ['<rootDir>/test/keycloak/provider-env.ts'],
      // One real Keycloak for the tier (test/keycloak/tier.ts), unless KEYCLOAK_URL names one.
      globalSetup: '<rootDir>/test/keycloak/global-setup.mjs',
      globalTeardown: '<rootDir>/test/keycloak/global-teardown.mjs',
    },
  ],
};
