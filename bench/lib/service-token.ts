/**
 * Creates a service token at a gateway as alice (`POST /api/auth/service-tokens`), the way a bot's owner does; in
 * session mode the session's cookie and `X-CSRF` come with the password. Returns the `agst_` token, shown only here.
 */
export async function createServiceToken(gatewayUrl: string, name: string, sessionCookie?: string): Promise<string> {
  const res = await fetch(`${gatewayUrl}/api/auth/service-tokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(sessionCookie ? { cookie: sessionCookie, 'x-csrf': '1' } : {}),
    },
    body: JSON.stringify({ username: 'alice', password: 'alice-password', name, days: 1 }),
  });
  if (res.status !== 201) throw new Error(`creating a service token answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** The refresh grants among an IdP's counts (bench/targets/idp.ts's control port: `endpoint:grant:status` → n). */
export function refreshGrants(seen: Record<string, number>): number {
  return Object.entries(seen)
    .filter(([key]) => key.startsWith('token:refresh_token:'))
    .reduce((sum, [, n]) => sum + n, 0);
}
