import express, { Router, type Request, type Response } from 'express';
import { authenticateClient } from './client-auth.js';
import { clientCredentialsGrant, passwordGrant, refreshGrant, type GrantContext } from './grants.js';
import { KC, KeycloakError } from './keycloak-error.js';
import type { SeenRequest } from './seen.js';

type Grant = typeof passwordGrant;
const GRANTS: Record<string, Grant> = { password: passwordGrant, refresh_token: refreshGrant, client_credentials: clientCredentialsGrant };

/**
 * Keycloak's token endpoint and back-channel logout, in front of oidc-provider: their semantics and texts are
 * Keycloak's, not oidc-provider's. Form bodies only, as Keycloak (@Consumes form-urlencoded).
 */
export function keycloakEndpoints(ctx: GrantContext, seen: (record: SeenRequest) => void): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  router.post('/protocol/openid-connect/token', form, async (req, res) => {
    const body = fields(req);
    const record: SeenRequest = { endpoint: 'token', ...(body.grant_type ? { grantType: body.grant_type } : {}), status: 200 };
    try {
      if (!ctx.realm.enabled) throw KC.realmDisabled();
      if (!body.grant_type) throw KC.missingGrantType();
      const grant = GRANTS[body.grant_type];
      if (!grant) throw KC.unsupportedGrantType();
      const client = authenticateClient(ctx.realm, req, body);
      record.clientId = client.clientId;
      noStore(res).json(await grant(ctx, client, body));
    } catch (err) {
      answerError(res, err, record);
    }
    seen({ ...record, status: res.statusCode });
  });

  router.post('/protocol/openid-connect/logout', form, async (req, res) => {
    const body = fields(req);
    const record: SeenRequest = { endpoint: 'logout', status: 204 };
    try {
      if (!ctx.realm.enabled) throw KC.realmDisabled();
      const client = authenticateClient(ctx.realm, req, body);
      record.clientId = client.clientId;
      if (!body.refresh_token) throw KC.noRefreshToken();
      // Keycloak does not check expiry here, and an already ended session is a successful no-op.
      const claims = await ctx.minter.readRefreshToken(body.refresh_token);
      if (!claims || typeof claims.sid !== 'string') throw KC.invalidRefreshToken();
      if (claims.azp !== client.clientId) throw KC.clientMismatch();
      const session = ctx.sessions.find(claims.sid);
      if (session) ctx.sessions.end(session);
      res.status(204).end();
    } catch (err) {
      answerError(res, err, record);
    }
    seen({ ...record, status: res.statusCode });
  });

  // Keycloak's userinfo accepts its JWT access tokens (oidc-provider's would refuse them) and signals failure in the
  // WWW-Authenticate header with an empty body, as Keycloak's OAuth2Error does.
  const userinfo = async (req: Request, res: Response) => {
    const header = req.get('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const claims = token ? await ctx.minter.readAccessToken(token) : undefined;
    const session = typeof claims?.sid === 'string' ? ctx.sessions.find(claims.sid) : undefined;
    if (!claims || !ctx.sessions.isActive(session)) {
      const challenge = token ? `Bearer realm="${ctx.realm.realm}", error="invalid_token", error_description="Token verification failed"` : `Bearer realm="${ctx.realm.realm}"`;
      res.status(401).set('WWW-Authenticate', challenge).type('text/plain').end();
    } else {
      const { sub, email_verified, name, preferred_username, given_name, family_name, email } = claims;
      noStore(res).json({ sub, email_verified, name, preferred_username, given_name, family_name, email });
    }
    seen({ endpoint: 'userinfo', status: res.statusCode });
  };
  router.get('/protocol/openid-connect/userinfo', userinfo);
  router.post('/protocol/openid-connect/userinfo', form, userinfo);

  return router;
}

function fields(req: Request): Record<string, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function noStore(res: Response): Response {
  return res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
}

function answerError(res: Response, err: unknown, record: SeenRequest): void {
  if (!(err instanceof KeycloakError)) throw err;
  record.error = err.error;
  record.errorDescription = err.description;
  noStore(res).status(err.status).json(err.body());
}
