import { LRUCache } from 'lru-cache';
import type { Clock } from '../support/clock.js';
import { AccountLookupError, type AccountDirectory } from '../idp/account-directory.js';
import type { User } from '../contract/user.js';
import { describeError } from '../observability/describe-error.js';
import type { Logger } from '../observability/logger.js';

export interface LoginAccountsOptions {
  /** Where an email is looked up when a login through it fails; without one, only successful logins teach it. */
  directory: AccountDirectory | undefined;
  logger: Logger;
  clock: Clock;
}

interface Owner {
  /** The username of the account holding the email; null: none (the identifier can then only be a username). */
  username: string | null;
}

const REMEMBERED = 10_000;
const OWNER_TTL_MS = 10 * 60_000;
// An email nobody holds yet may be given to an account soon; and a miss costs one search.
const NO_OWNER_TTL_MS = 60_000;
// After the directory failed, logins go on without it for a while: no search (nor warning) per failed login.
const BACKOFF_MS = 30_000;

/**
 * Which account a typed login identifier names, decided as Keycloak decides it (findUserByNameOrEmail with
 * loginWithEmailAllowed): in lower case, as Keycloak stores and looks up usernames and emails (it neither trims nor
 * normalises Unicode, so neither does this); an identifier with an "@" is an email if an account holds it, else a
 * username; any other is a username.
 *
 * An account is named by its username, unique in the realm and lower case: a username identifier is its own answer
 * and never needs a lookup, so the Admin API is asked only about emails, only after a failed login, and the answer
 * (found or not) is remembered. A successful login proves its identifier's account and email for free.
 */
export class LoginAccounts {
  private readonly owners: LRUCache<string, Owner>;
  private backoffUntil = 0;

  constructor(private readonly options: LoginAccountsOptions) {
    const { directory, clock } = options;
    this.owners = new LRUCache<string, Owner>({
      max: REMEMBERED,
      ttl: OWNER_TTL_MS,
      perf: { now: () => clock.now() },
      // One search per email however many failed logins wait for it.
      fetchMethod: async (email, _stale, { options: entry }) => {
        const username = directory ? await directory.usernameForEmail(email) : null;
        if (username === null) entry.ttl = NO_OWNER_TTL_MS;
        return { username };
      },
    });
  }

  /** The account the identifier is known to name now, without asking anyone. */
  known(identifier: string): string {
    const typed = identifier.toLowerCase();
    if (!typed.includes('@')) return typed;
    return this.owners.get(typed)?.username ?? typed;
  }

  /** The account the identifier names, asking the directory about an email not known yet. Never fails: at worst the identifier itself. */
  async resolve(identifier: string): Promise<string> {
    const typed = identifier.toLowerCase();
    if (!typed.includes('@') || !this.options.directory) return this.known(typed);
    if (this.options.clock.now() < this.backoffUntil) return this.known(typed);
    try {
      return (await this.owners.fetch(typed))?.username ?? typed;
    } catch (err) {
      this.lookupFailed(err);
      return typed;
    }
  }

  /** The account a verified token proves. */
  accountOf(user: User): string {
    return user.username.toLowerCase();
  }

  /** What a successful login proved: the identifier typed, and the account's email, name this account. */
  learn(identifier: string, user: User): void {
    const username = this.accountOf(user);
    const typed = identifier.toLowerCase();
    if (typed.includes('@') && typed !== username) this.owners.set(typed, { username });
    const email = user.email?.toLowerCase();
    if (email && email !== username) this.owners.set(email, { username });
  }

  private lookupFailed(err: unknown): void {
    const now = this.options.clock.now();
    if (now < this.backoffUntil) return;
    this.backoffUntil = now + BACKOFF_MS;
    this.options.logger.warn('auth.account_lookup.failed', {
      event: 'auth.account_lookup.failed',
      reason: err instanceof AccountLookupError ? err.reason : 'the account lookup failed',
      cause: describeError(err instanceof AccountLookupError && err.cause !== undefined ? err.cause : err),
      consequence: 'failed logins through an email count against the email as typed, not its account',
      retryInSeconds: BACKOFF_MS / 1000,
    });
  }
}
