import { detectDialect, keycloakIssuerParts, type DialectName } from './provider-dialect.js';
import type { Settings } from './variables.js';

/** Which provider the gateway talks to, where, and as which client. */
export interface ProviderSettings {
  /** Keycloak's base URL (KEYCLOAK_URL, or a Keycloak IDP_ISSUER's). Unset with `issuer`: the embedded IdP. */
  readonly url: string | undefined;
  readonly realm: string;
  /**
   * The issuer to expect: any provider's (IDP_ISSUER), or Keycloak's when it is not `<url>/realms/<realm>` (a
   * front-end hostname).
   */
  readonly issuer: string | undefined;
  readonly dialect: DialectName;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
}

/** Which provider, where, and as which client: the Keycloak shorthand, any issuer, or the embedded IdP. */
export function providerOf(raw: Settings, given: ReadonlySet<string>, problems: string[]): ProviderSettings {
  const clientId = olderName(raw, given, 'IDP_CLIENT_ID', 'KEYCLOAK_CLIENT_ID', problems) ?? raw.IDP_CLIENT_ID;
  const clientSecret = olderName(raw, given, 'IDP_CLIENT_SECRET', 'KEYCLOAK_CLIENT_SECRET', problems);
  const client = { clientId, clientSecret };
  if (raw.KEYCLOAK_ISSUER && !raw.KEYCLOAK_URL) {
    problems.push('KEYCLOAK_ISSUER: only with KEYCLOAK_URL (the embedded development IdP announces its own issuer)');
  }
  if (raw.IDP_ISSUER && raw.KEYCLOAK_URL) {
    problems.push('IDP_ISSUER: set either IDP_ISSUER or KEYCLOAK_URL (with KEYCLOAK_REALM), not both');
  }
  if ((raw.IDP_ISSUER ?? raw.KEYCLOAK_URL) && !clientSecret) {
    problems.push(`IDP_CLIENT_SECRET: required when ${raw.IDP_ISSUER ? 'IDP_ISSUER' : 'KEYCLOAK_URL'} is set`);
  }
  if (!raw.IDP_ISSUER) {
    if (raw.IDP_DIALECT && raw.IDP_DIALECT !== 'keycloak') {
      problems.push(
        `IDP_DIALECT: ${raw.IDP_DIALECT} needs IDP_ISSUER (KEYCLOAK_URL and the embedded development IdP are Keycloak)`,
      );
    }
    const issuer = raw.KEYCLOAK_ISSUER;
    return { url: raw.KEYCLOAK_URL, realm: raw.KEYCLOAK_REALM, issuer, dialect: 'keycloak', ...client };
  }
  const issuer = raw.IDP_ISSUER;
  const dialect = raw.IDP_DIALECT ?? detectDialect(issuer) ?? 'generic';
  if (dialect !== 'keycloak') return { url: undefined, realm: raw.KEYCLOAK_REALM, issuer, dialect, ...client };
  // A Keycloak named by its issuer is the shorthand: its Admin API (account lookup, realm limits) is at the same base.
  const parts = keycloakIssuerParts(issuer);
  if (!parts) {
    problems.push('IDP_ISSUER: a Keycloak issuer ends in /realms/<realm>; or set IDP_DIALECT to another dialect');
    return { url: undefined, realm: raw.KEYCLOAK_REALM, issuer, dialect, ...client };
  }
  if (given.has('KEYCLOAK_REALM') && parts.realm !== raw.KEYCLOAK_REALM) {
    problems.push(
      `KEYCLOAK_REALM: ${raw.KEYCLOAK_REALM} is not the realm of IDP_ISSUER (${parts.realm}); leave it unset`,
    );
  }
  return { url: parts.url, realm: parts.realm, issuer: undefined, dialect, ...client };
}

/** A setting that also has an older name: either may be set, both only when they agree. */
function olderName(
  raw: Settings,
  given: ReadonlySet<string>,
  name: 'IDP_CLIENT_ID' | 'IDP_CLIENT_SECRET',
  older: 'KEYCLOAK_CLIENT_ID' | 'KEYCLOAK_CLIENT_SECRET',
  problems: string[],
): string | undefined {
  const value = given.has(name) ? raw[name] : undefined;
  const olderValue = raw[older];
  if (value !== undefined && olderValue !== undefined && value !== olderValue) {
    problems.push(`${name}: ${older} (its older name) says otherwise; set only ${name}`);
  }
  return value ?? olderValue;
}
