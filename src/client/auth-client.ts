import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import type { RegistrationLogin } from '../contract/registration.js';
import type { RegisterRequest } from '../contract/requests.js';
import type { SessionAnswer, SessionTimes } from '../contract/session-mode.js';
import type { User } from '../contract/user.js';
import type { TokenStorage } from './token-storage.js';

/**
 * How the client holds its credentials. `session` and `token` must match the gateway's AUTH_MODE; `service-token`
 * (a bot's long-lived service token, exchanged for short access tokens) works with either.
 */
export type AuthMode = 'session' | 'token' | 'service-token';

export interface AuthClientOptions {
  /** The gateway's origin, e.g. `https://app.example.com` or `''` for the page's own origin. */
  baseURL: string;
  /** Must match the gateway's AUTH_MODE, or `service-token` for a bot. */
  mode: AuthMode;
  /**
   * Token mode: refresh before a call when the access token expires within this many seconds (default 60).
   * Service-token mode: exchange this long before expiry (default 300), or halfway through a shorter-lived token.
   */
  refreshSkewSeconds?: number;
  /** Service-token mode: the `agst_...` token the gateway issued (required there, ignored elsewhere). */
  serviceToken?: string;
  /** Token mode: where the tokens are kept (default: memory). See `webStorage`. */
  storage?: TokenStorage;
  /** An axios adapter (`'fetch'`, `'xhr'`, `'http'` or a function); axios picks one by default. */
  fetchAdapter?: AxiosRequestConfig['adapter'];
  /** The BroadcastChannel (and Web Lock) name shared by this app's tabs (default `authgate`). */
  channelName?: string;
  /** The clock, in milliseconds since the epoch (tests). */
  now?: () => number;
}

/** What the client tells the app. Listeners run in every tab of the origin for logouts and expired sessions. */
export type AuthEvent = 'loggedIn' | 'loggedOut' | 'sessionExpired' | 'refreshed';

/**
 * What `register` gives: the new user's card, and whether the user is now logged in. When not, `login` says why:
 * `account_not_ready` (the realm wants a required action first, such as a complete profile or a verified email),
 * `disabled` (the gateway's REGISTRATION_AUTO_LOGIN is off) or `failed` (log in as usual).
 */
export type RegistrationResult =
  { loggedIn: true; user: User; session?: SessionTimes } | { loggedIn: false; user: User; login: RegistrationLogin };

/** Whether this client is logged in: the gateway's answer in session mode; token mode knows no `expires_at`. */
export type SessionState = SessionAnswer | { authenticated: true; user: User; expires_at?: undefined };

export interface AuthClient {
  readonly mode: AuthMode;
  /**
   * The axios instance wired for the gateway: use it for your own API calls too. Session mode: cookies included,
   * `X-CSRF: 1` on writes. Token mode: the bearer token attached, refreshed before it expires and once on a 401.
   * Service-token mode: an access token exchanged for the service token, the same way.
   * Every failure is an `AuthError`.
   */
  readonly http: AxiosInstance;
  /** Logs in with a password. Session mode: the gateway sets its cookie. Token mode: the tokens go to the storage. */
  login(username: string, password: string): Promise<{ user: User; session?: SessionTimes }>;
  /**
   * Creates an account (POST register) and, when the gateway logs it in, holds the login as `login` would (the cookie,
   * or the tokens) and announces `loggedIn`. Refusals are AuthErrors: `user_exists`, `weak_password` and
   * `invalid_request` carry `details` naming the field; `registration_disabled` when the gateway does not register.
   */
  register(request: RegisterRequest): Promise<RegistrationResult>;
  /** Ends the session at the gateway and the provider; every tab hears `loggedOut`. */
  logout(): Promise<void>;
  /** New tokens now (rarely needed: session mode refreshes in the gateway, token mode before expiry). */
  refresh(): Promise<void>;
  /** The logged-in user. */
  me(): Promise<User>;
  /** Whether this browser (session mode) or this client (token mode) is logged in; never throws for "no". */
  session(): Promise<SessionState>;
  /** Session mode: where to send the browser to log in at the provider's page, coming back to `returnTo`. */
  loginUrl(returnTo?: string): string;
  /** Subscribes to an event; returns the unsubscribe function. */
  on(event: AuthEvent, listener: () => void): () => void;
  /** Stops listening to other tabs. */
  close(): void;
}
