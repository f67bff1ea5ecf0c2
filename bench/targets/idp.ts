// The embedded development IdP in a process of its own, plus a control port the bench asks what the IdP saw.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createLogger } from '../../src/observability/logger.js';
import { HASHED_USER } from '../lib/hashed-user.js';
import { loadRealmFile, startDevIdp } from '../../src/dev-idp/index.js';
import { projectRoot } from '../../src/support/project-root.js';

const realm = await loadRealmFile(join(projectRoot(), 'keycloak-realm.json'));
realm.accessTokenLifespan = Number(process.env.ACCESS_TOKEN_LIFESPAN ?? realm.accessTokenLifespan);
const extraRedirects = (process.env.EXTRA_REDIRECT_URIS ?? '').split(',').filter(Boolean);
for (const client of realm.clients) if (client.clientId === 'authgate') client.redirectUris.push(...extraRedirects);

// HASHED_USER's password in a realm export's format: the dev IdP checks it the way Keycloak does, at the same cost, so
// a login as this user costs the IdP what a login costs Keycloak in hashing.
const salt = randomBytes(16);
realm.users.push({
  username: HASHED_USER.username,
  email: 'hashed-alice@example.test',
  emailVerified: true,
  firstName: 'Alice',
  lastName: 'Hashed',
  enabled: true,
  requiredActions: [],
  realmRoles: ['user'],
  clientRoles: {},
  credentials: [
    {
      type: 'password',
      temporary: false,
      secretData: JSON.stringify({
        value: pbkdf2Sync(HASHED_USER.password, salt, HASHED_USER.iterations, 64, 'sha512').toString('base64'),
        salt: salt.toString('base64'),
      }),
      credentialData: JSON.stringify({
        hashIterations: HASHED_USER.iterations,
        algorithm: HASHED_USER.algorithm,
        additionalParameters: {},
      }),
    },
  ],
});

const idp = await startDevIdp({
  realm,
  port: Number(process.env.PORT),
  host: '127.0.0.1',
  publicHost: '127.0.0.1',
  logger: createLogger({ level: 'error' }),
  nodeEnv: 'development',
});

createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/clear') idp.clearSeen();
  const counts: Record<string, number> = {};
  for (const seen of idp.seen) {
    const key = `${seen.endpoint}:${seen.grantType ?? '-'}:${seen.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
}).listen(Number(process.env.CONTROL_PORT), '127.0.0.1');
