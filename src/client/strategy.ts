import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { SessionTimes } from '../contract/session-mode.js';
import type { User } from '../contract/user.js';
import type { RegisterRequest } from '../contract/requests.js';
import type { AuthClientOptions, AuthEvent, RegistrationResult, SessionState } from './auth-client.js';
import type { AuthError } from './auth-error.js';
import type { TabChannel } from './tab-channel.js';
import type { StoredTokens } from './token-storage.js';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** authgate client bookkeeping: `bare` calls get no bearer and no refresh; `retried` calls are never replayed again. */
    authgate?: { bare?: boolean; retried?: boolean };
  }
}

/** The parts of one client that every strategy shares: the axios instance, the events, the other tabs. */
export interface ClientCore {
  readonly http: AxiosInstance;
  readonly channel: TabChannel;
  /** The tabs' channel name, also the stem of the Web Lock names. */
  readonly channelName: string;
  readonly now: () => number;
  emit(event: AuthEvent): void;
  /** The session is over: `sessionExpired` once per login, here and in the other tabs, however many calls find out. */
  announceExpired(): void;
  /** A live session was found: the next expiry is news again. */
  rearmExpiry(): void;
  /** GET me, the same call in every mode. */
  me(): Promise<User>;
}

/**
 * How one mode holds and renews its credentials. The client is the same for every mode (events, tabs, errors, the
 * axios instance); a strategy decides what goes on a call, what a failed call means, and how to log in, refresh and
 * log out. Session mode, token mode and a bot's service token (a long-lived secret exchanged for short access tokens)
 * are the three, registered in `create-auth-client.ts`.
 */
export interface AuthStrategy {
  /** Whether calls carry cookies across origins (session mode's HttpOnly cookie). */
  readonly withCredentials: boolean;
  /** Puts this mode's credentials on an outgoing call. */
  authorize(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig>;
  /** Sees every successful answer. */
  answered(response: AxiosResponse): void;
  /** A call failed with `failure`: answer it another way (a replay) or throw. */
  failed(failure: AuthError, config: InternalAxiosRequestConfig | undefined): Promise<AxiosResponse>;
  /** POST login and keep what it gives; the client announces the login. */
  login(username: string, password: string): Promise<{ user: User; session?: SessionTimes }>;
  /** POST register and keep the login it may give; the client announces a login. */
  register(request: RegisterRequest): Promise<RegistrationResult>;
  /** Ends the session at the gateway and drops what this client held; the client announces the logout. */
  logout(): Promise<void>;
  /** New tokens now; announces `refreshed` itself (token mode hands them to the other tabs first). */
  refresh(): Promise<void>;
  session(): Promise<SessionState>;
  /** The session ended here or in another tab: drop the credentials this client holds. */
  forget(): void;
  /** Another tab refreshed and handed over its new tokens. */
  adopt(tokens: StoredTokens): void;
}

export type StrategyFactory = (core: ClientCore, options: AuthClientOptions) => AuthStrategy;
