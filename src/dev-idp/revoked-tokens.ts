/**
 * Access tokens revoked through the revocation endpoint, by jti, until they expire anyway: Keycloak keeps such a
 * store so that userinfo and introspection refuse them. Only those two endpoints consult it; tokens stay verifiable
 * offline, as at Keycloak.
 */
export class RevokedTokens {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly nowSeconds: () => number) {}

  add(jti: string, exp: number): void {
    this.expiries.set(jti, exp);
    const now = this.nowSeconds();
    for (const [id, until] of this.expiries) if (until < now) this.expiries.delete(id);
  }

  has(jti: string): boolean {
    return this.expiries.has(jti);
  }
}
