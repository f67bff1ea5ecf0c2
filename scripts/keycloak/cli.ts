import {
  KeycloakPrerequisiteError,
  keycloakSettings,
  startKeycloak,
  TESTED_VERSIONS,
  type RunningKeycloak,
} from './index.js';

/*
 * npm run keycloak: a real Keycloak in the foreground, without Docker, until Ctrl-C.
 *   KEYCLOAK_VERSION          which release (default: the newest tested)
 *   KEYCLOAK_PORT             its port on 127.0.0.1 (default 8180: 8080 is the embedded development IdP's default)
 *   KEYCLOAK_MANAGEMENT_PORT  /health/* on this port (default 9180)
 */
const say = (line: string) => console.log(`keycloak: ${line}`);

function port(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(`${name} must be a port number, not "${process.env[name]}"`);
  return value;
}

function describe(keycloak: RunningKeycloak): string {
  return [
    '',
    `Keycloak ${keycloak.version} is running at ${keycloak.url}, realm "${keycloak.realm}" imported from keycloak-realm.json.`,
    'Its database is in memory: stopping it forgets every session and change, the next start imports the realm afresh.',
    `  admin console   ${keycloak.url}/admin/  (${keycloak.admin.username} / ${keycloak.admin.password})`,
    `  health          ${keycloak.managementUrl}/health/ready`,
    `  log             ${keycloak.logFile}`,
    '',
    'Point the gateway at it (in another terminal):',
    `  KEYCLOAK_URL=${keycloak.url} KEYCLOAK_CLIENT_SECRET=authgate-dev-secret npm start`,
    '',
    'Ctrl-C stops it.',
  ].join('\n');
}

try {
  const settings = keycloakSettings();
  if (!(TESTED_VERSIONS as readonly string[]).includes(settings.version)) {
    say(
      `${settings.version} is not one of the versions this project is tested against (${TESTED_VERSIONS.join(', ')})`,
    );
  }
  const keycloak = await startKeycloak({
    ...settings,
    port: port('KEYCLOAK_PORT', 8180),
    managementPort: port('KEYCLOAK_MANAGEMENT_PORT', 9180),
    log: say,
  });
  console.log(describe(keycloak));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping Keycloak`);
    keycloak.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  const reason = err instanceof Error ? err.message : String(err);
  console.error(
    err instanceof KeycloakPrerequisiteError ? `keycloak: cannot run Keycloak here: ${reason}` : `keycloak: ${reason}`,
  );
  process.exit(1);
}
