import type { Fetch } from '../../src/idp/provider-fetch.js';

export interface ProviderTap {
  /** For buildTestGateway's wrapFetch. */
  readonly wrap: (network: Fetch) => Fetch;
  /** The refresh token of every password login the provider granted, in order (the client may never see them). */
  readonly refreshTokens: string[];
  /** Every URL the gateway called, in order. */
  readonly calls: string[];
  /** Every answer the gateway received (URL and status), in the order they came. */
  readonly answers: { url: string; status: number }[];
  /** The gateway's calls to Keycloak's Admin API. */
  adminCalls(): string[];
}

/**
 * Sees what the gateway exchanges with the provider, at the gateway's own HTTP client: the tokens of logins the client
 * was refused, and the Admin API calls. With `adminDown`, the Admin API cannot be reached (a refused connection, as
 * undici reports it) while the rest of the provider answers.
 */
export function providerTap(options: { adminDown?: boolean } = {}): ProviderTap {
  const refreshTokens: string[] = [];
  const calls: string[] = [];
  const answers: ProviderTap['answers'] = [];
  const wrap =
    (network: Fetch): Fetch =>
    async (input, init) => {
      const url = String(input);
      calls.push(url);
      if (options.adminDown && new URL(url).pathname.startsWith('/admin/')) {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        });
      }
      const res = await network(input, init);
      answers.push({ url, status: res.status });
      if (
        url.endsWith('/protocol/openid-connect/token') &&
        String(init?.body).includes('grant_type=password') &&
        res.status === 200
      ) {
        const body = (await res.clone().json()) as { refresh_token?: unknown };
        if (typeof body.refresh_token === 'string') refreshTokens.push(body.refresh_token);
      }
      return res;
    };
  return {
    wrap,
    refreshTokens,
    calls,
    answers,
    adminCalls: () => calls.filter((url) => new URL(url).pathname.startsWith('/admin/')),
  };
}
