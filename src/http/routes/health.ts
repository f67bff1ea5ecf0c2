import { Router } from 'express';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider } from '../../idp/identity-provider.js';
import type { Stores } from '../../stores/create-stores.js';

export interface HealthDeps {
  identityProvider: IdentityProvider;
  stores: Pick<Stores, 'kind' | 'checkReady'>;
  /** Service tokens on a Redis that may lose them: shown in the details, the gateway still ready. */
  serviceTokenWarning?: () => string | undefined;
}

/** Liveness says the process answers; readiness says its dependencies do, naming the one that does not. */
export function healthRoutes({ identityProvider, stores, serviceTokenWarning }: HealthDeps): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    if (stores.kind === 'redis') {
      try {
        await stores.checkReady();
      } catch (err) {
        throw new ApiError('session_store_unavailable', {
          message: 'Not ready: Redis does not answer',
          cause: err,
          headers: { 'Retry-After': '1' },
        });
      }
    }
    const ready = await identityProvider.checkReady();
    if (!ready.ok) {
      const { code, cause } = ready.error;
      const answer = code.startsWith('idp_') ? code : 'idp_error';
      throw new ApiError(answer, {
        message: 'Not ready: the identity provider (discovery and key set) does not answer',
        cause,
      });
    }
    const checks = stores.kind === 'redis' ? { idp: 'ok', redis: 'ok' } : { idp: 'ok' };
    const warning = serviceTokenWarning?.();
    res
      .set('Cache-Control', 'no-store')
      .json({ status: 'ready', checks, ...(warning ? { details: { service_tokens: warning } } : {}) });
  });

  return router;
}
