import { sameSecret } from '../support/constant-time.js';
import type { Form } from './form.js';
import { KC } from './keycloak-error.js';
import type { RealmClient } from './realm-file.js';
import type { RealmModel } from './realm-model.js';

export interface PresentedClient {
  readonly clientId: string | undefined;
  readonly secret: string | undefined;
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/**
 * The client credentials of a request as Keycloak's ClientIdAndSecretAuthenticator reads them: an HTTP Basic header
 * (id and secret form-encoded inside it, RFC 6749 2.3.1) wins; otherwise client_id / client_secret from the form.
 */
export function presentedClient(authorization: string | undefined, form: Form): PresentedClient {
  const basic = authorization ? /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization) : null;
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      try {
        return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
      } catch {
        // not form-encoded: fall back to the form, as Keycloak does for a header it cannot parse
      }
    }
  }
  return { clientId: form.get('client_id'), secret: form.get('client_secret') };
}

/**
 * Keycloak's two different answers: an unknown, missing or disabled client is `invalid_client`; a known confidential
 * client with a wrong or missing secret is `unauthorized_client`. A public client needs no secret (one sent is ignored).
 */
export function authenticateClient(realm: RealmModel, presented: PresentedClient): RealmClient {
  const client = presented.clientId ? realm.client(presented.clientId) : undefined;
  if (!client || !client.enabled) throw KC.invalidClient();
  if (client.publicClient) return client;
  if (presented.secret === undefined || client.secret === undefined || !sameSecret(presented.secret, client.secret))
    throw KC.badClientSecret();
  return client;
}
