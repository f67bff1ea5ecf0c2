// authgate/client: the SDK for SPAs and Node scripts. Browser-safe: nothing here imports Node or server code.
export { createAuthClient, type AuthClient, type AuthClientOptions, type AuthEvent, type AuthMethods, type SessionState, type SessionTimes } from './create-auth-client.js';
export { AuthError, type AuthErrorCode } from './auth-error.js';
export { memoryStorage, webStorage, type StoredTokens, type TokenStorage } from './token-storage.js';
export type { User } from '../contract/user.js';
export type { ErrorCode } from '../contract/errors.js';
