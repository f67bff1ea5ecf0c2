/**
 * Who holds an email address in the realm: what the gateway needs to count a failed login through an email against
 * the account it names. KeycloakAdmin is the implementation (the Admin API's user search).
 */
export interface AccountDirectory {
  /**
   * The username (lower case) of the one account whose email this is; null when no account, or more than one, has it.
   * Rejects with an AccountLookupError when the directory cannot tell right now.
   */
  usernameForEmail(email: string): Promise<string | null>;
}

/** The directory could not answer; `reason` says what an operator must fix, never a secret. */
export class AccountLookupError extends Error {
  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super(reason, cause === undefined ? undefined : { cause });
    this.name = 'AccountLookupError';
  }
}
