import { describe } from '@jest/globals';
import { keyRotationScenarios } from '../support/key-rotation-scenarios.js';
import { keycloakRotatingRealm } from '../support/rotating-realm.js';
import { keycloakUnderTest } from './tier.js';

/*
 * The realm's signing keys rotate under running gateways, on a real Keycloak: a new `rsa-generated` key provider of a
 * higher priority added through the Admin API, later the old one deleted. The same tests as on the embedded IdP
 * (test/idp/key-rotation.test.ts), each suite in a private copy of the demo realm.
 */
const SUITE = 'key rotation on a real Keycloak';
const KEYCLOAK_URL = keycloakUnderTest(SUITE);
const suite = KEYCLOAK_URL ? describe : describe.skip;

suite(`${SUITE} at ${KEYCLOAK_URL ?? '(none)'}`, () => {
  keyRotationScenarios(() => keycloakRotatingRealm(KEYCLOAK_URL ?? ''));
});
