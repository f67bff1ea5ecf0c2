import type { Failure, Refused } from './identity-provider.js';

/** An account to create: the values as the realm will store them (trimmed; username and email in lower case). */
export interface NewUser {
  username: string;
  email: string;
  password: string;
  firstName?: string;
  lastName?: string;
}

/** The account the realm created. */
export interface CreatedUser {
  id: string;
  username: string;
  email: string;
  firstName?: string;
  lastName?: string;
}

export type Registered = { ok: true; user: CreatedUser } | Refused;

/**
 * Where accounts are created: Keycloak's Admin API (KeycloakUsers). The realm's refusals (the name or email taken, a
 * password its policy refuses, a field its user profile refuses) come back as values in the contract's words; a
 * deployment fault (the service account lacks manage-users) or a provider failure is thrown as an ApiError.
 */
export interface UserRegistry {
  create(user: NewUser): Promise<Registered>;
}

export type { Failure };
