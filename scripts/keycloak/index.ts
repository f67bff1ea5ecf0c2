export { DOCKER_ALTERNATIVE, KeycloakPrerequisiteError, KeycloakStartError } from './errors.js';
export { freePort } from './free-port.js';
export { keycloakSettings, type KeycloakSettings } from './settings.js';
export {
  checkPrerequisites,
  startKeycloak,
  type RunningKeycloak,
  type StartKeycloakOptions,
} from './start-keycloak.js';
export { DEFAULT_VERSION, TESTED_VERSIONS } from './versions.js';
