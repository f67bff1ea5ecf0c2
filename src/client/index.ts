// authgate/client: the SDK for SPAs and Node scripts. Browser-safe: nothing here imports Node or server code.
export { createAuthClient } from './create-auth-client.js';
export type {
  AuthClient,
  AuthClientOptions,
  AuthEvent,
  AuthMode,
  RegistrationResult,
  SessionState,
} from './auth-client.js';
export { AuthError, type AuthErrorCode } from './auth-error.js';
export { createServiceTokenApi, type ServiceTokenApi, type ServiceTokenApiOptions } from './service-token-api.js';
export { memoryStorage, webStorage, type StoredTokens, type TokenStorage } from './token-storage.js';
export type { User } from '../contract/user.js';
export type { ErrorCode, FieldProblem } from '../contract/errors.js';
export type { SessionTimes } from '../contract/session-mode.js';
export type { RegisterRequest } from '../contract/requests.js';
export type { RegistrationLogin } from '../contract/registration.js';
export type {
  ServiceTokenCreateRequest,
  ServiceTokenCreateAnswer,
  ServiceTokenExchangeAnswer,
  ServiceTokenInfo,
} from '../contract/service-tokens.js';
