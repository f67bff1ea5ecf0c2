// What the gateway and its clients both speak: error codes, the user card, request and answer bodies, paths and
// headers. Types and constants only; nothing here imports anything, so either side can take it without the other.
export { ERROR_CODES, ALL_ERROR_CODES, type ErrorCode, type ErrorBody, type FieldProblem } from './errors.js';
export type { User } from './user.js';
export type { LoginRequest, RefreshRequest, LogoutRequest, RegisterRequest } from './requests.js';
export { SUCCESS_MESSAGES, type SuccessMessages } from './messages.js';
export type { TokenSet, TokenLoginAnswer, TokenRefreshAnswer } from './token-mode.js';
export type { SessionTimes, SessionLoginAnswer, SessionRefreshAnswer, SessionAnswer } from './session-mode.js';
export type { MeAnswer, LogoutAnswer } from './answers.js';
export type {
  RegistrationLogin,
  RegisteredAnswer,
  SessionRegisterAnswer,
  TokenRegisterAnswer,
  RegisterAnswer,
} from './registration.js';
export { AUTH_PATHS, HEADERS, CSRF_HEADER_VALUE, SAFE_METHODS } from './http.js';
export {
  SERVICE_TOKEN_PREFIX,
  SERVICE_TOKEN_PATHS,
  SERVICE_TOKEN_DAYS,
  SERVICE_TOKEN_MESSAGES,
  type ServiceTokenCreateRequest,
  type ServiceTokenInfo,
  type ServiceTokenCreateAnswer,
  type ServiceTokenListAnswer,
  type ServiceTokenCurrentAnswer,
  type ServiceTokenRevokeAnswer,
  type ServiceTokenExchangeAnswer,
} from './service-tokens.js';
