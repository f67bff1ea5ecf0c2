/** The alternative every "cannot run Keycloak here" message names. */
export const DOCKER_ALTERNATIVE = 'or run Keycloak in Docker instead: docker compose up keycloak';

/**
 * A tool this machine lacks (java, mvn) or has in a version Keycloak does not run on. Outside CI the Keycloak tier
 * says it skipped for this reason; under CI=true it fails.
 */
export class KeycloakPrerequisiteError extends Error {
  override readonly name = 'KeycloakPrerequisiteError';
}

/** Keycloak was there but did not come up (or not in time); the message ends with the tail of its log. */
export class KeycloakStartError extends Error {
  override readonly name = 'KeycloakStartError';
}
