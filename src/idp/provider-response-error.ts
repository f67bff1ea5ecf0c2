/**
 * An OAuth error answer from an endpoint openid-client does not cover (Keycloak's back-channel logout). It carries
 * the same fields as openid-client's ResponseBodyError so the one translation point reads both alike.
 */
export class ProviderResponseError extends Error {
  constructor(
    readonly status: number,
    readonly error: string | undefined,
    readonly error_description: string | undefined,
  ) {
    super(`the provider answered ${status}${error ? ` ${error}` : ''}`);
    this.name = 'ProviderResponseError';
  }

  static async from(response: Response): Promise<ProviderResponseError> {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    return new ProviderResponseError(
      response.status,
      typeof fields.error === 'string' ? fields.error : undefined,
      typeof fields.error_description === 'string' ? fields.error_description : undefined,
    );
  }

  /**
   * openid-client reads an OAuth error body only from a 4xx answer; a 5xx leaves it unread, with the response as the
   * error's cause. A provider that answers a configuration fault with a 500 and an OAuth body (Auth0's tenant without
   * a default directory) is then read here, so that its dialect can name the fault. Anything else is kept as it is.
   */
  static async readUnread(err: unknown): Promise<unknown> {
    const response = (err as { cause?: unknown } | null)?.cause;
    if (!(response instanceof Response) || response.status < 500 || response.bodyUsed) return err;
    const read = await ProviderResponseError.from(response.clone()).catch(() => undefined);
    return read?.error === undefined ? err : Object.assign(read, { cause: err });
  }
}
