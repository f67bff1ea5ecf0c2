import type { Dialect } from './dialects.js';
import type { Refused } from './identity-provider.js';
import { ProviderResponseError } from './provider-response-error.js';
import type { Fetch } from './provider-fetch.js';
import { refusedOrThrown, type ProviderOperation } from './translate-error.js';

/**
 * A form POST to an endpoint openid-client does not cover (Keycloak's back-channel logout, RFC 7009 revocation, a
 * caller's own client credentials): the answer when its status is expected, else the refusal or the thrown fault.
 */
export async function postForm(
  fetch: Fetch,
  dialect: Dialect,
  url: string,
  form: Record<string, string>,
  operation: ProviderOperation,
  expected: readonly number[],
): Promise<{ ok: true; response: Response } | Refused> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { accept: 'application/json' },
      redirect: 'manual',
    });
  } catch (err) {
    return refusedOrThrown(err, operation, dialect);
  }
  if (expected.includes(response.status)) return { ok: true, response };
  return refusedOrThrown(await ProviderResponseError.from(response), operation, dialect);
}
