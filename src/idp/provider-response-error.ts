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
}
