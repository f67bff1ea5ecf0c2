import { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  SERVICE_TOKEN_MESSAGES,
  type ServiceTokenCreateAnswer,
  type ServiceTokenCurrentAnswer,
  type ServiceTokenExchangeAnswer,
  type ServiceTokenListAnswer,
  type ServiceTokenRevokeAnswer,
} from '../../contract/service-tokens.js';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider } from '../../idp/identity-provider.js';
import { lifetimeProblem, type OfflineLimits } from '../../service-tokens/outcomes.js';
import type { ServiceTokens } from '../../service-tokens/service-tokens.js';
import { isServiceTokenShaped } from '../../service-tokens/token-format.js';
import { bearerToken } from '../bearer.js';
import { errorFor, markEvent, noStore } from '../route-helpers.js';
import { basicCredentials, createInput, offlineLogin } from './service-tokens-input.js';

/** Who the caller is by the mode's own means (a session, or a user's bearer access token): their username. */
export type UserOf = (req: Request, res: Response) => Promise<string>;

export interface ServiceTokenRouteDeps {
  identityProvider: IdentityProvider;
  serviceTokens: ServiceTokens;
  /** Runs before the create handler: its password check counts as a login. */
  loginGuards: RequestHandler[];
  userOf: UserOf;
  /** Session mode: the session's user must be the account a token is created for. */
  sessionUserOf?: (req: Request, res: Response) => Promise<string | undefined>;
  /** The realm's offline-session limits, when they can be read (the Admin API). */
  offlineLimits?: () => Promise<OfflineLimits | undefined>;
}

/**
 * Service tokens for bots and services, in both modes. A request that proves itself with an Authorization header is
 * never read as the session's (and needs no CSRF header: a browser cannot send one cross-site without a preflight).
 */
export function serviceTokenRoutes(deps: ServiceTokenRouteDeps): Router {
  const { identityProvider, serviceTokens, loginGuards } = deps;
  const router = Router();

  router.post('/service-token/refresh', markEvent('service_token.exchange'), async (req, res) => {
    const basic = basicCredentials(req);
    if (basic) {
      const granted = await identityProvider.clientCredentials(basic.clientId, basic.secret);
      if (!granted.ok) throw errorFor(granted.error);
      const { access_token, expires_in } = granted.tokens;
      noStore(res).json({ access_token, expires_in, token_type: 'Bearer' } satisfies ServiceTokenExchangeAnswer);
      return;
    }
    const outcome = await serviceTokens.exchange(presentedToken(req));
    switch (outcome.kind) {
      case 'issued':
        noStore(res).json({
          access_token: outcome.accessToken,
          expires_in: outcome.expiresIn,
          token_type: 'Bearer',
        } satisfies ServiceTokenExchangeAnswer);
        return;
      case 'failed':
        throw errorFor(outcome.error);
      default:
        throw refusal(outcome.kind);
    }
  });

  router.get('/service-tokens/current', markEvent('service_token.inspect'), async (req, res) => {
    const found = await serviceTokens.inspect(presentedToken(req));
    if (found.kind !== 'found') throw refusal(found.kind);
    noStore(res).json({ service_token: found.info } satisfies ServiceTokenCurrentAnswer);
  });

  router.get('/service-tokens', markEvent('service_token.list'), async (req, res) => {
    const owner = await ownerOf(req, res);
    noStore(res).json({ service_tokens: await serviceTokens.list(owner) } satisfies ServiceTokenListAnswer);
  });

  router.delete('/service-tokens/:id', markEvent('service_token.revoke'), async (req, res) => {
    const owner = await ownerOf(req, res);
    const outcome = await serviceTokens.revoke(String(req.params.id), owner);
    if (outcome.kind === 'forbidden') throw new ApiError('forbidden');
    if (outcome.kind === 'failed') throw errorFor(outcome.error);
    noStore(res).json({ message: SERVICE_TOKEN_MESSAGES.revoked } satisfies ServiceTokenRevokeAnswer);
  });

  router.post('/service-tokens', markEvent('service_token.create'), ...loginGuards, async (req, res) => {
    const input = createInput(req.body);
    const field = 'days' in input.lifetime ? 'days' : 'eternal';
    const problem = lifetimeProblem(input.lifetime, serviceTokens.settings, await deps.offlineLimits?.());
    if (problem) {
      throw new ApiError('invalid_request', {
        message: 'The realm or the gateway cannot keep a token that long',
        details: [{ field, problem }],
      });
    }
    // Session mode: the session first (and its CSRF header, checked before this), then the password again.
    const sessionUser = deps.sessionUserOf ? await deps.sessionUserOf(req, res) : undefined;
    if (deps.sessionUserOf && sessionUser === undefined) throw new ApiError('unauthenticated');
    const { tokens, user } = await offlineLogin(identityProvider, res, input);
    if (sessionUser !== undefined && sessionUser !== user.username) {
      if (tokens.refresh_token) await identityProvider.logout(tokens.refresh_token).catch(() => undefined);
      throw new ApiError('forbidden');
    }
    const created = await serviceTokens.create({ tokens, user, name: input.name, lifetime: input.lifetime });
    if (created.kind === 'forbidden') throw new ApiError('forbidden');
    if (created.kind === 'no_offline_token') {
      throw new ApiError('idp_error', { message: 'The identity provider gave no offline token' });
    }
    noStore(res)
      .status(201)
      .json({
        message: SERVICE_TOKEN_MESSAGES.created,
        token: created.token,
        service_token: created.info,
      } satisfies ServiceTokenCreateAnswer);
  });

  /** The owner the caller acts as: a service token's, or the mode's user (only when no service token is presented). */
  async function ownerOf(req: Request, res: Response): Promise<string> {
    const bearer = bearerToken(req);
    if (bearer !== undefined && isServiceTokenShaped(bearer)) {
      const found = await serviceTokens.inspect(bearer);
      if (found.kind !== 'found') throw refusal(found.kind);
      return found.record.owner;
    }
    return deps.userOf(req, res);
  }

  return router;
}

function presentedToken(req: Request): string {
  return bearerToken(req) ?? '';
}

function refusal(kind: 'invalid' | 'expired'): ApiError {
  return new ApiError(kind === 'expired' ? 'service_token_expired' : 'service_token_invalid');
}
