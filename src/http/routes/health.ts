import { Router } from 'express';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider } from '../../idp/identity-provider.js';

/** Liveness says the process answers; readiness says its dependencies do, naming the one that does not. */
export function healthRoutes(identityProvider: IdentityProvider): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    try {
      await identityProvider.checkReady();
    } catch (err) {
      const code = err instanceof ApiError && err.code.startsWith('idp_') ? err.code : 'idp_error';
      throw new ApiError(code, { message: 'Not ready: the identity provider (discovery and key set) does not answer', cause: err });
    }
    res.set('Cache-Control', 'no-store').json({ status: 'ready', checks: { idp: 'ok' } });
  });

  return router;
}
