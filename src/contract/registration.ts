import type { SuccessMessages } from './messages.js';
import type { SessionTimes } from './session-mode.js';
import type { TokenSet } from './token-mode.js';
import type { User } from './user.js';

/**
 * Why a registration that succeeded did not log the new user in: `account_not_ready` when the realm wants something
 * done first (a required action such as verifying the email; the user logs in once it is done), `disabled` when
 * REGISTRATION_AUTO_LOGIN is off, `failed` when the account was created but the login after it did not go through
 * (the provider or the session store failed just then; the user logs in as usual). Absent when the user was logged in.
 */
export type RegistrationLogin = 'account_not_ready' | 'disabled' | 'failed';

/**
 * 201 to POST register, without a login: the user card of the new account. Its `roles` are empty: roles come with a
 * token, at the first login.
 */
export interface RegisteredAnswer {
  message: SuccessMessages['register'];
  user: User;
  login: RegistrationLogin;
}

/** Session mode: 201 to POST register with the new user logged in; the session cookie is set as login sets it. */
export interface SessionRegisterAnswer {
  message: SuccessMessages['register'];
  user: User;
  session: SessionTimes;
}

/** Token mode: 201 to POST register with the new user logged in, the tokens as login hands them over. */
export interface TokenRegisterAnswer {
  message: SuccessMessages['register'];
  user: User;
  token: TokenSet;
}

export type RegisterAnswer = RegisteredAnswer | SessionRegisterAnswer | TokenRegisterAnswer;
