const caller = (sessionCookie?: string): Record<string, string> =>
  sessionCookie ? { cookie: sessionCookie, 'x-csrf': '1' } : {};

/**
 * Creates a service token at a gateway as alice (`POST /api/auth/service-tokens`), the way a bot's owner does; in
 * session mode the session's cookie and `X-CSRF` come with the password. Returns the `agst_` token, shown only here,
 * and its id.
 */
export async function createServiceToken(
  gatewayUrl: string,
  name: string,
  sessionCookie?: string,
): Promise<{ token: string; id: string }> {
  const res = await fetch(`${gatewayUrl}/api/auth/service-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...caller(sessionCookie) },
    body: JSON.stringify({ username: 'alice', password: 'alice-password', name, days: 1 }),
  });
  if (res.status !== 201) throw new Error(`creating a service token answered ${res.status}: ${await res.text()}`);
  const answer = (await res.json()) as { token: string; service_token: { id: string } };
  return { token: answer.token, id: answer.service_token.id };
}

/**
 * Revokes a service token the bench made: Redis is shared and keeps a token's record for weeks, so runs would
 * otherwise pile up tokens in alice's list.
 */
export async function revokeServiceToken(gatewayUrl: string, id: string, sessionCookie?: string): Promise<void> {
  const res = await fetch(`${gatewayUrl}/api/auth/service-tokens/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    headers: caller(sessionCookie),
  });
  if (res.status !== 200) throw new Error(`revoking a service token answered ${res.status}: ${await res.text()}`);
}

/** The refresh grants among an IdP's counts (bench/targets/idp.ts's control port: `endpoint:grant:status` → n). */
export function refreshGrants(seen: Record<string, number>): number {
  return Object.entries(seen)
    .filter(([key]) => key.startsWith('token:refresh_token:'))
    .reduce((sum, [, n]) => sum + n, 0);
}
