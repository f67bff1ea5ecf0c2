import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request } from 'express';
import { KC } from './keycloak-error.js';
import type { Realm, RealmClient } from './realm.js';

/**
 * Keycloak's client authentication for the token and logout endpoints: client_secret_basic (credentials form-encoded
 * inside Basic, RFC 6749 2.3.1) or client_secret_post, with Keycloak's two different answers for an unknown client
 * and a wrong secret.
 */
export function authenticateClient(realm: Realm, req: Request, form: Record<string, string>): RealmClient {
  const { clientId, secret } = credentialsOf(req, form);
  const client = clientId ? realm.clients.find((c) => c.clientId === clientId) : undefined;
  if (!client || !client.enabled) throw KC.invalidClient();
  if (client.publicClient) return client;
  if (secret === undefined || client.secret === undefined || !sameSecret(secret, client.secret)) throw KC.badClientSecret();
  return client;
}

function credentialsOf(req: Request, form: Record<string, string>): { clientId?: string; secret?: string } {
  const header = req.get('authorization');
  const basic = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header) : null;
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return { clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
      } catch {
        return {};
      }
    }
  }
  return { clientId: form.client_id, secret: form.client_secret };
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
