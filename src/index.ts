// The package's public surface, for embedding the gateway or its development IdP in another program or test suite.
export { createApp, type AppDeps } from './app.js';
export { startGateway, type RunningGateway, type StartGatewayOptions } from './gateway.js';
export { loadConfig, ConfigError, type Config } from './config/load-config.js';
export { ERROR_CODES, ALL_ERROR_CODES, type ErrorCode, type ErrorBody } from './errors/codes.js';
export { ApiError } from './errors/api-error.js';
export { KeycloakService, type KeycloakServiceOptions } from './idp/keycloak-service.js';
export type { IdentityProvider, TokenSet, User } from './idp/identity-provider.js';
export { createStores, type Stores, type CreateStoresOptions } from './stores/create-stores.js';
export { SessionCodec } from './sessions/session-codec.js';
export { createLogger, type Logger } from './observability/logger.js';
export { RequestContext } from './observability/request-context.js';
export { startDevIdp, loadRealmFile, type DevIdp, type DevIdpOptions } from './dev-idp/index.js';
