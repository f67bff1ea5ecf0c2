import { jest } from '@jest/globals';

// The Keycloak tier's jest project loads this before every test file: the provider-independent suites then run against
// a private realm of the tier's Keycloak instead of an embedded dev IdP (test/support/provider-under-test.ts).
process.env.AUTHGATE_TEST_PROVIDER = 'keycloak';
// A realm import or removal takes Keycloak seconds, ten and more on a busy machine, and every password login hashes.
jest.setTimeout(60_000);
