import type { PresentedClient } from './client-auth.js';
import type { Form } from './form.js';
import type { RealmModel } from './realm-model.js';
import type { RevokedTokens } from './revoked-tokens.js';
import type { SessionStore } from './sessions.js';
import type { TokenMinter } from './tokens.js';

/** What every Keycloak endpoint of the development IdP works with: one realm, its sessions, its keys. */
export interface IdpContext {
  readonly realm: RealmModel;
  readonly issuer: string;
  readonly sessions: SessionStore;
  readonly minter: TokenMinter;
  readonly revoked: RevokedTokens;
  /** Keycloak before 26.6 answers the password grant's invalid_grant with 401, 26.6 and later with 400. */
  readonly passwordGrantErrorStatus: 400 | 401;
}

/** One request to a form endpoint, read once by the HTTP layer. */
export interface EndpointRequest {
  readonly form: Form;
  readonly authorization: string | undefined;
  readonly presented: PresentedClient;
  readonly remoteAddress: string;
}
