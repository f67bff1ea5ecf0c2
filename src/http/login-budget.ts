import type { Response } from 'express';
import type { Store } from 'express-rate-limit';
import { ApiError } from '../errors/api-error.js';
import type { User } from '../contract/user.js';
import type { Failure } from '../idp/identity-provider.js';
import { describeError } from '../observability/describe-error.js';
import type { Logger } from '../observability/logger.js';
import type { LoginAccounts } from './login-accounts.js';
import { errorFor } from './route-helpers.js';

export interface LoginBudgetOptions {
  /** Failed logins an account may have in a window; attempts beyond are refused with 429. */
  limit: number;
  windowMs: number;
  /** express-rate-limit's store (its memory store, or Redis shared by every instance), already initialised. */
  store: Store;
  accounts: LoginAccounts;
  logger: Logger;
}

/** The contract's 429 for a login, with Retry-After until the window that refused it ends. */
export function rateLimited(
  resetTime: Date | undefined,
  windowMs: number,
  logFields?: Record<string, unknown>,
): ApiError {
  const seconds = resetTime
    ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
    : Math.ceil(windowMs / 1000);
  return new ApiError('rate_limited', {
    headers: { 'Retry-After': String(seconds) },
    ...(logFields ? { logFields } : {}),
  });
}

// Answers the provider gives only about an existing account: for a limited account they would tell the attacker
// something (account_not_ready and mfa_required even say the password was right), so it answers 429 instead, as at
// the door.
const ACCOUNT_ANSWERS = new Set(['invalid_credentials', 'account_disabled', 'account_not_ready', 'mfa_required']);

/**
 * One failure budget per account, whatever identifier is typed (username, email, any case). An attempt is counted
 * when it arrives, against the account its identifier is known to name (so attempts in flight count, as with
 * express-rate-limit), and settled when the provider has answered:
 * - a failure stays counted; if its identifier turns out to name another account (an email not known yet), it moves
 *   there, and if that account was already out of budget the answer is the 429 it would have had at the door;
 * - a success is taken back; if the account it proves is out of budget, the provider's session is ended and the
 *   answer is that same 429: no tokens, no session, nothing that says the password was right;
 * - a provider or store failure is taken back and answered as it is: never the user's fault.
 */
export class LoginBudget {
  constructor(private readonly options: LoginBudgetOptions) {}

  /** Counts an attempt through `identifier`; throws rate_limited when its account is out of budget already. */
  async begin(identifier: string): Promise<LoginAttempt> {
    const key = keyOf(this.options.accounts.known(identifier));
    const { totalHits, resetTime } = await this.options.store.increment(key);
    if (totalHits > this.options.limit) {
      await this.options.store.decrement(key);
      throw rateLimited(resetTime, this.options.windowMs);
    }
    return new LoginAttempt(this.options, identifier, key);
  }
}

export class LoginAttempt {
  private released = false;

  constructor(
    private readonly options: LoginBudgetOptions,
    private readonly identifier: string,
    /** Where the attempt was counted when it arrived. */
    private readonly key: string,
  ) {}

  /** The provider could not answer: the attempt is taken back, and the failure answered as it is (never the user's fault). */
  readonly failed = async (err: unknown): Promise<never> => {
    await this.release();
    throw err;
  };

  /** The provider refused: what to answer (often the refusal itself). */
  async refused(refusal: Failure): Promise<unknown> {
    const { code } = refusal;
    const answer = errorFor(refusal);
    try {
      if (!ACCOUNT_ANSWERS.has(code)) {
        await this.release();
        return answer;
      }
      const key = keyOf(await this.options.accounts.resolve(this.identifier));
      if (code !== 'invalid_credentials') {
        await this.release();
        return (key !== this.key && (await this.limitedAt(key))) || answer;
      }
      if (key === this.key) return answer;
      await this.release();
      const { totalHits, resetTime } = await this.options.store.increment(key);
      return totalHits > this.options.limit ? rateLimited(resetTime, this.options.windowMs) : answer;
    } catch (storeFailure) {
      await this.release().catch(() => undefined);
      return storeFailure;
    }
  }

  /**
   * The provider let the user in. Throws rate_limited if the account the tokens prove is out of budget, ending the
   * provider's session (`endSession`) without waiting, so the answer takes no longer than a refused guess.
   */
  async admitted(user: User, endSession: () => Promise<void>): Promise<void> {
    const { accounts } = this.options;
    let refusal: unknown;
    try {
      const key = keyOf(accounts.accountOf(user));
      await this.release();
      if (key !== this.key) {
        refusal = await this.limitedAt(key, {
          securityEvent: 'auth.login.right_password_while_limited',
          sub: user.sub,
        });
        // A wrong guess through this identifier waits for the account lookup before its 429: so does this one, or
        // the time taken would tell that the password was right.
        if (refusal) await accounts.resolve(this.identifier);
      }
      accounts.learn(this.identifier, user);
    } catch (storeFailure) {
      refusal = storeFailure;
    }
    if (refusal === undefined) return;
    endSession().catch((err: unknown) => {
      this.options.logger.warn('auth.login.session_not_ended', {
        event: 'auth.login.session_not_ended',
        sub: user.sub,
        cause: describeError(err),
      });
    });
    throw refusal;
  }

  /** The 429 an attempt on `key` would get at the door now, or undefined. */
  private async limitedAt(key: string, logFields?: Record<string, unknown>): Promise<ApiError | undefined> {
    const { store, limit, windowMs } = this.options;
    if (store.get) {
      const current = await store.get(key);
      // rate-limit-redis reads a key that does not exist as NaN hits.
      return current && current.totalHits >= limit ? rateLimited(current.resetTime, windowMs, logFields) : undefined;
    }
    const probe = await store.increment(key);
    await store.decrement(key);
    return probe.totalHits > limit ? rateLimited(probe.resetTime, windowMs, logFields) : undefined;
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.options.store.decrement(this.key);
  }
}

/** The budget the login guards put on the request (see loginRateLimit). */
export function loginBudgetOf(res: Response): LoginBudget {
  const budget: unknown = res.locals.loginBudget;
  if (budget instanceof LoginBudget) return budget;
  throw new Error('a password login ran without the login guards in front of it');
}

function keyOf(account: string): string {
  return `user:${account}`;
}
