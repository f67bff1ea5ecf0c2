import { freePort } from '../../scripts/keycloak/free-port.js';

/** A loopback port nothing listens on (it was free a moment ago): a provider that is down. */
export const closedPort: () => Promise<number> = freePort;
