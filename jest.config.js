// Jest runs the ESM sources directly: openid-client, jose and oidc-provider are ESM-only.
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

export default {
  testTimeout: 20000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/keycloak/'] },
    {
      ...base,
      displayName: 'keycloak',
      testMatch: ['<rootDir>/test/keycloak/**/*.test.ts'],
      // One real Keycloak for the tier (test/keycloak/tier.ts), unless KEYCLOAK_URL names one.
      globalSetup: '<rootDir>/test/keycloak/global-setup.mjs',
      globalTeardown: '<rootDir>/test/keycloak/global-teardown.mjs',
    },
  ],
};
