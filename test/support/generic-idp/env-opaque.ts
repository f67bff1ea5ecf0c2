import { jest } from '@jest/globals';

// The jest project generic-opaque loads this before every test file: the provider-independent suites then run against a
// plain oidc-provider with opaque access tokens (test/support/provider-under-test.ts).
process.env.AUTHGATE_TEST_PROVIDER = 'generic-opaque';
// The generic provider keeps real time: a suite that lets time pass sleeps.
jest.setTimeout(60_000);
