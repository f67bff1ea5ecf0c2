import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { startTestIdp } from '../support/idp.js';
import { KeycloakTestAdmin } from './admin-api.js';
import { CASES } from './differential-cases.js';
import { RealmClient } from './differential-client.js';
import { knownFor, lists, type KnownDifference } from './differential-known.js';
import { differences } from './differential-observe.js';
import { keycloakUnderTest } from './tier.js';

/*
 * The embedded IdP's fidelity, measured: the same raw requests go to a real Keycloak and to the embedded IdP, both
 * holding a fresh copy of keycloak-realm.json under the same name, and their answers are compared line by line
 * (status, error texts, content type, body field names and types, token claim names and types; ids, times,
 * signatures and hosts normalised). Every difference that remains is listed, with its reason, in
 * differential-known.ts (and src/dev-idp/README.md): a new one, or a listed one that went away, fails.
 */
const SUITE = 'the embedded IdP against a real Keycloak, request by request';
const KEYCLOAK_URL = keycloakUnderTest(SUITE);
const suite = KEYCLOAK_URL ? describe : describe.skip;

suite(`${SUITE} at ${KEYCLOAK_URL ?? '(none)'}`, () => {
  const realm = `diff-${randomUUID().slice(0, 8)}`;
  const admin = new KeycloakTestAdmin(KEYCLOAK_URL ?? '');
  let idp: DevIdp | undefined;
  let version = '';
  const matched = new Set<KnownDifference>();
  let casesRun = 0;

  beforeAll(async () => {
    version = (await admin.call<{ systemInfo: { version: string } }>('GET', '/admin/serverinfo')).systemInfo.version;
    await admin.importDemoRealm(realm);
    idp = await startTestIdp({ realm: (r) => ({ ...r, realm }) });
  }, 60_000);

  afterAll(async () => {
    await idp?.close();
    await admin.deleteRealm(realm);
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: the embedded IdP answers as Keycloak does, but for the listed differences',
    async (name, kase) => {
      const keycloak = await kase.run(new RealmClient({ side: 'keycloak', url: KEYCLOAK_URL ?? '', realm }));
      const devIdp = await kase.run(new RealmClient({ side: 'dev-idp', url: idp?.url ?? '', realm }));
      const known = knownFor(version);
      const found = differences(keycloak, devIdp);
      const unlisted = found.filter((d) => {
        const entry = known.find((k) => lists(k, name, d));
        if (entry) matched.add(entry);
        return entry === undefined;
      });
      const gone = known.filter((k) => k.case === name && !found.some((d) => lists(k, name, d))).map((k) => k.path);
      casesRun += 1;
      expect({ version, unlisted, gone }).toEqual({ version, unlisted: [], gone: [] });
    },
  );

  it('lists no difference for any case that no longer shows in one', () => {
    if (casesRun < CASES.length) return; // a filtered run (-t) saw too few cases to tell
    const gone = knownFor(version).filter((k) => k.case === undefined && !matched.has(k));
    expect(gone.map((k) => k.path)).toEqual([]);
  });
});
