/** The provider dialects IDP_DIALECT names; what each means is src/idp/dialects.ts. */
export const DIALECT_NAMES = ['keycloak', 'generic', 'auth0', 'entra', 'okta'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/** A Keycloak issuer: `<base>/realms/<realm>` (or `/auth/realms/` before Keycloak 17). */
const KEYCLOAK_ISSUER = /^(.*?)\/realms\/([^/]+)\/?$/;

/**
 * The dialect an issuer URL names beyond doubt, or undefined: a custom domain (Auth0, Okta) or any other host could be
 * anything, and is `generic` unless IDP_DIALECT says otherwise.
 */
export function detectDialect(issuer: string): DialectName | undefined {
  const { hostname, pathname } = new URL(issuer);
  if (KEYCLOAK_ISSUER.test(pathname)) return 'keycloak';
  if (/\.auth0\.com$/.test(hostname)) return 'auth0';
  if (/^login\.microsoftonline\.(com|us)$/.test(hostname) || hostname === 'sts.windows.net') return 'entra';
  if (/\.(okta|oktapreview|okta-emea)\.com$/.test(hostname)) return 'okta';
  return undefined;
}

/** Keycloak's base URL and realm in one of its issuers, or undefined when the issuer is not shaped like one. */
export function keycloakIssuerParts(issuer: string): { url: string; realm: string } | undefined {
  const url = new URL(issuer);
  const match = KEYCLOAK_ISSUER.exec(url.pathname);
  if (!match?.[2]) return undefined;
  return { url: `${url.origin}${match[1] ?? ''}`, realm: decodeURIComponent(match[2]) };
}
