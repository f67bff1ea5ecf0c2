// The package's public surface, for embedding the gateway in another program or test suite. The development IdP is
// its own entry point (authgate/dev-idp), so importing the gateway never loads oidc-provider and Koa.
export { createApp, type AppDeps } from './app.js';
export { startGateway, type RunningGateway, type StartGatewayOptions } from './gateway.js';
export { loadConfig, ConfigError, type Config } from './config/load-config.js';
export * from './contract/index.js';
export { ApiError } from './errors/api-error.js';
export { KeycloakService, type KeycloakServiceOptions } from './idp/keycloak-service.js';
export type { IdentityProvider, TokenSet } from './idp/identity-provider.js';
export { createStores, type Stores, type CreateStoresOptions } from './stores/create-stores.js';
export { createSessionStore } from './sessions/create-session-store.js';
export { SessionCodec } from './sessions/session-codec.js';
export { createLogger, type Logger } from './observability/logger.js';
export { RequestContext } from './observability/request-context.js';
