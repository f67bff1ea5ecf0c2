import cors from 'cors';
import express, { type Express, type Router } from 'express';
import type { Clock } from './support/clock.js';
import type { Config } from './config/load-config.js';
import type { AccountDirectory } from './idp/account-directory.js';
import type { IdentityProvider } from './idp/identity-provider.js';
import type { UserRegistry } from './idp/user-registry.js';
import type { Logger } from './observability/logger.js';
import type { RequestContext } from './observability/request-context.js';
import type { Stores } from './stores/create-stores.js';
import { accessLog } from './http/middleware/access-log.js';
import { readBody, refuseSecretsInQuery } from './http/middleware/body.js';
import { csrfProtection } from './http/middleware/csrf.js';
import { errorHandler, notFound } from './http/middleware/error-handler.js';
import { loginRateLimit } from './http/middleware/login-rate-limit.js';
import { registrationRateLimit } from './http/middleware/registration-rate-limit.js';
import { requestId } from './http/middleware/request-id.js';
import { API_HEADERS, PAGE_HEADERS, securityHeaders } from './http/middleware/security-headers.js';
import { codeFlowRoutes } from './http/routes/code-flow.js';
import { demoRoutes } from './http/routes/demo.js';
import { docsRoutes } from './http/routes/docs.js';
import { healthRoutes } from './http/routes/health.js';
import { registrationRoutes } from './http/routes/registration.js';
import { REFRESHED_HEADER, sessionModeRoutes, sessionRegisterAnswer } from './http/routes/session-mode.js';
import { tokenModeRoutes, tokenRegisterAnswer } from './http/routes/token-mode.js';
import { serviceTokenRoutes, type UserOf } from './http/routes/service-tokens.js';
import { bearerToken } from './http/bearer.js';
import { errorFor } from './http/route-helpers.js';
import { ApiError } from './errors/api-error.js';
import { AUTH_PATHS } from './contract/http.js';
import { SERVICE_TOKEN_PATHS } from './contract/service-tokens.js';
import { type OfflineLimits, type ServiceTokenSettings } from './service-tokens/outcomes.js';
import type { ServiceTokenDurability } from './service-tokens/durability.js';
import { ServiceTokens } from './service-tokens/service-tokens.js';
import type { SessionCodec } from './sessions/session-codec.js';
import type { VersionedSessionStore } from './sessions/versioned-session-store.js';
import { loginCookie, sessionCookie } from './sessions/session-cookie.js';
import { Sessions } from './sessions/sessions.js';

export interface AppDeps {
  config: Config;
  identityProvider: IdentityProvider;
  /** Who holds an email (Keycloak's Admin API): one failure budget per account, whether username or email is typed. */
  accountDirectory?: AccountDirectory;
  /** Where registration creates accounts (Keycloak's Admin API); without it registration is closed. */
  userRegistry?: UserRegistry;
  /** Locks, denylist and rate limits: in memory, or in Redis for many instances. */
  stores: Stores;
  /** The sessions, on the same footing as the stores (sessions/create-session-store.ts). */
  sessions: VersionedSessionStore;
  /** Encrypts what the stores keep; built from SESSION_SECRET. */
  codec: SessionCodec;
  logger: Logger;
  clock: Clock;
  requestContext: RequestContext;
  /** The realm's offline-session limits (Admin API), so a create can refuse a lifetime the realm cannot keep. */
  offlineLimits?: () => Promise<OfflineLimits | undefined>;
  /** What the start-up check found about the service tokens' durability (shown by /readyz). */
  serviceTokenDurability?: ServiceTokenDurability;
}

const SERVICE_TOKEN_API = /^\/api\/auth\/service-tokens?(\/|$)/;

/** Builds the gateway from its parts. Listening is the caller's business (see server.ts). */
export function createApp(deps: AppDeps): Express {
  const { config, identityProvider, stores, logger, requestContext } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Answers are no-store JSON: an ETag (a SHA-1 of every body) would buy nothing.
  app.set('etag', false);
  app.set('query parser', 'simple');
  // The client address (rate limits, logs) and https (Secure cookies) come from X-Forwarded-* only through as many
  // proxies as configured.
  app.set('trust proxy', config.trustProxy);

  app.use(requestId(requestContext));
  app.use(accessLog(logger, deps.clock));
  app.use(securityHeaders(API_HEADERS));
  const corsHandler = cors({
    origin: [...config.corsOrigins],
    credentials: true,
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id', 'X-CSRF'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', REFRESHED_HEADER],
    maxAge: 600,
  });
  // Only a request with an Origin is a CORS request; the rest (same-origin reads, servers, curl) skip the work.
  app.use((req, res, next) => (req.headers.origin === undefined ? next() : corsHandler(req, res, next)));
  app.use(refuseSecretsInQuery);
  if (config.authMode === 'session') {
    const csrf = csrfProtection([new URL(config.publicUrl).origin, ...config.corsOrigins]);
    // A machine caller proves itself with its Authorization header, which a cross-site page cannot send: the service
    // token routes then never read the session, so there is nothing to forge.
    app.use((req, res, next) =>
      req.headers.authorization !== undefined && SERVICE_TOKEN_API.test(req.path) ? next() : csrf(req, res, next),
    );
  }
  app.use(readBody);

  const loginGuards = loginRateLimit({
    failuresPerUser: config.loginFailuresPerUser,
    failuresPerIp: config.loginFailuresPerIp,
    store: (name) => stores.rateLimitStore(name),
    ...(deps.accountDirectory ? { accountDirectory: deps.accountDirectory } : {}),
    logger,
    clock: deps.clock,
  });
  if (!config.passwordLogin) {
    // PASSWORD_LOGIN=false: the provider has no password grant (or it is not to be used); the code flow remains.
    // Creating a service token proves the password through the same grant.
    app.post([AUTH_PATHS.login, SERVICE_TOKEN_PATHS.tokens], () => {
      throw new ApiError('password_login_unavailable');
    });
  }
  const sessions = config.authMode === 'session' ? sessionsOf(deps) : undefined;
  const settings = config.serviceTokens;
  if (settings.enabled) app.use('/api/auth', serviceTokenApi(deps, settings, loginGuards, sessions));
  app.use(
    '/api/auth',
    registrationRoutes({
      registry: deps.userRegistry,
      identityProvider,
      settings: config.registration,
      // Built only when open: a closed route needs no counter, and its store nothing loaded into Redis.
      guards: config.registration.enabled
        ? [
            registrationRateLimit({
              perHour: config.registration.perIpPerHour,
              store: (name) => stores.rateLimitStore(name),
            }),
          ]
        : [],
      answerLoggedIn: sessions ? sessionRegisterAnswer(sessions) : tokenRegisterAnswer(stores.denylist),
      logger,
    }),
  );
  // The API first: its requests then never walk through the health, docs and demo routers.
  app.use(
    '/api/auth',
    sessions
      ? sessionModeApi(deps, sessions, loginGuards)
      : tokenModeRoutes({ identityProvider, loginGuards, denylist: stores.denylist, logger }),
  );
  const durability = settings.enabled ? deps.serviceTokenDurability : undefined;
  app.use(
    healthRoutes({
      identityProvider,
      stores,
      ...(durability ? { serviceTokenWarning: () => durability.readinessWarning() } : {}),
    }),
  );
  app.use(['/api/docs', '/demo'], securityHeaders(PAGE_HEADERS));
  app.use(docsRoutes());
  if (config.authMode === 'session' && !config.isProduction) app.use(demoRoutes());

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

function sessionsOf(deps: AppDeps): Sessions {
  const { config, identityProvider, stores, sessions: sessionStore, codec, logger, clock } = deps;
  return new Sessions({
    identityProvider,
    store: sessionStore,
    shared: stores.shared,
    codec,
    cookie: sessionCookie(config.publicUrl),
    secret: config.sessionSecret,
    clock,
    logger,
    limits: { maxAgeMs: config.session.maxAgeSeconds * 1000 },
    refreshSkewMs: config.session.refreshSkewSeconds * 1000,
    idpTimeoutMs: config.idp.timeoutMs,
  });
}

function sessionModeApi(deps: AppDeps, sessions: Sessions, loginGuards: express.RequestHandler[]): Router {
  const { config, identityProvider, stores, codec, logger } = deps;
  const router = express.Router();
  // Any order works; this one spares every /me a walk past the code-flow routes.
  router.use(sessionModeRoutes({ identityProvider, sessions, loginGuards, logger }));
  router.use(
    codeFlowRoutes({
      identityProvider,
      sessions,
      shared: stores.shared,
      codec,
      loginCookie: loginCookie(config.publicUrl),
      publicUrl: config.publicUrl,
      logger,
    }),
  );
  return router;
}

function serviceTokenApi(
  deps: AppDeps,
  settings: ServiceTokenSettings,
  loginGuards: express.RequestHandler[],
  sessions: Sessions | undefined,
): Router {
  const { config, identityProvider, stores, codec, logger, clock } = deps;
  const serviceTokens = new ServiceTokens({
    identityProvider,
    durable: stores.durable,
    shared: stores.shared,
    codec,
    settings,
    clock,
    logger,
    idpTimeoutMs: config.idp.timeoutMs,
  });
  const sessionUserOf = sessions
    ? async (req: express.Request, res: express.Response) => {
        // Such a request skipped the CSRF check (see createApp): the session cannot be its proof.
        if (req.headers.authorization !== undefined) return undefined;
        const found = await sessions.current(req, res);
        return found.kind === 'active' ? found.session.user.username : undefined;
      }
    : undefined;
  const userOf: UserOf = sessionUserOf
    ? async (req, res) => {
        const username = await sessionUserOf(req, res);
        if (username === undefined) throw new ApiError('unauthenticated');
        return username;
      }
    : async (req) => {
        const token = bearerToken(req);
        if (!token) throw new ApiError('unauthenticated');
        const checked = await identityProvider.verifyAccessToken(token);
        if (!checked.ok) throw errorFor(checked.error);
        if (await stores.denylist.refuses(checked.token)) throw new ApiError('token_revoked');
        return checked.token.user.username;
      };
  return serviceTokenRoutes({
    identityProvider,
    serviceTokens,
    loginGuards,
    userOf,
    ...(sessionUserOf ? { sessionUserOf } : {}),
    ...(deps.offlineLimits ? { offlineLimits: deps.offlineLimits } : {}),
  });
}
