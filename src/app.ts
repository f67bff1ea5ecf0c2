import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Clock } from './clock.js';
import type { Config } from './config/load-config.js';
import type { IdentityProvider } from './idp/identity-provider.js';
import type { Logger } from './observability/logger.js';
import type { RequestContext } from './observability/request-context.js';
import type { AccessTokenDenylist } from './stores/denylist.js';
import { accessLog } from './http/middleware/access-log.js';
import { parseForm, parseJson, refuseSecretsInQuery, requireKnownMediaType } from './http/middleware/body.js';
import { errorHandler, notFound } from './http/middleware/error-handler.js';
import { loginRateLimit } from './http/middleware/login-rate-limit.js';
import { requestId } from './http/middleware/request-id.js';
import { docsRoutes } from './http/routes/docs.js';
import { healthRoutes } from './http/routes/health.js';
import { tokenModeRoutes } from './http/routes/token-mode.js';

export interface AppDeps {
  config: Config;
  identityProvider: IdentityProvider;
  denylist: AccessTokenDenylist;
  logger: Logger;
  clock: Clock;
  requestContext: RequestContext;
}

/** Builds the gateway from its parts. Listening is the caller's business (see server.ts). */
export function createApp(deps: AppDeps): Express {
  const { config, identityProvider, denylist, logger, clock, requestContext } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // The client address (rate limits, logs) comes from X-Forwarded-For only through as many proxies as configured.
  app.set('trust proxy', config.trustProxy);

  app.use(requestId(requestContext));
  app.use(accessLog(logger, clock));
  app.use(
    helmet({
      // Swagger UI at /api/docs needs its own inline styles; everything else is JSON.
      contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"] } },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use(
    cors({
      origin: [...config.corsOrigins],
      credentials: true,
      allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id', 'X-CSRF'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(refuseSecretsInQuery);
  app.use(requireKnownMediaType, parseJson, parseForm);

  app.use(healthRoutes(identityProvider));
  app.use(docsRoutes());
  const loginGuards = loginRateLimit({ failuresPerUser: config.loginFailuresPerUser, failuresPerIp: config.loginFailuresPerIp });
  app.use('/api/auth', tokenModeRoutes({ identityProvider, loginGuards, denylist, logger }));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
