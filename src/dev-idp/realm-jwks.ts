import type Provider from 'oidc-provider';
import type { RealmKeys } from './keys.js';
import { KEYCLOAK_ROUTES } from './provider.js';

/**
 * oidc-provider publishes the key set it was configured with, once and for all; the realm's keys rotate. Its JWKS
 * route still answers (headers, CORS), with the keys the realm has now in place of its own body.
 */
export function publishCurrentKeys(provider: Provider, keys: RealmKeys): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === KEYCLOAK_ROUTES.jwks && ctx.status === 200) ctx.body = JSON.stringify(keys.jwks());
  });
}
