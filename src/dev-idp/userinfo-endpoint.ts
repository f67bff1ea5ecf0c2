import { checkAccessToken } from './access-token-check.js';
import type { EndpointRequest, IdpContext } from './context.js';

export interface UserinfoAnswer {
  readonly status: number;
  readonly body?: Record<string, unknown>;
  /** Keycloak's OAuth2Error signals userinfo failures in this header, with an empty body. */
  readonly challenge?: string;
  readonly error?: string;
  readonly errorDescription?: string;
}

/**
 * Keycloak's userinfo for its own JWT access tokens (oidc-provider's endpoint would refuse them): the token from the
 * Authorization header or, on POST, the form's access_token; only tokens granted the openid scope.
 */
export async function userinfoEndpoint(ctx: IdpContext, req: EndpointRequest): Promise<UserinfoAnswer> {
  const realm = ctx.realm.name;
  const fromHeader = req.authorization ? /^Bearer\s+(\S+)\s*$/i.exec(req.authorization)?.[1] : undefined;
  const fromForm = req.form.get('access_token');
  const fail = (status: number, error: string, description: string): UserinfoAnswer => ({
    status,
    challenge: `Bearer realm="${realm}", error="${error}", error_description="${description}"`,
    error,
    errorDescription: description,
  });
  if (fromHeader !== undefined && fromForm !== undefined)
    return fail(400, 'invalid_request', 'More than one method used for including an access token');
  const token = fromHeader ?? fromForm;
  if (token === undefined) return { status: 401, challenge: `Bearer realm="${realm}"` };
  const check = await checkAccessToken(ctx, token);
  if (!check.ok) return fail(401, 'invalid_token', check.description);
  const scopes = typeof check.claims.scope === 'string' ? check.claims.scope.split(' ') : [];
  if (!scopes.includes('openid')) return fail(403, 'insufficient_scope', 'Missing openid scope');
  const { sub, email_verified, name, preferred_username, given_name, family_name, email } = check.claims;
  return { status: 200, body: { sub, email_verified, name, preferred_username, given_name, family_name, email } };
}
