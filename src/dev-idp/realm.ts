import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

// Keycloak's import format, the parts the development IdP acts on. Unknown fields (real exports carry hundreds) are
// dropped; a missing field takes Keycloak's default (keycloak.md, realm import).
const credential = z.object({
  type: z.string().default('password'),
  value: z.string().optional(),
  secretData: z.string().optional(),
  credentialData: z.string().optional(),
  temporary: z.boolean().default(false),
});

const user = z.object({
  id: z.string().optional(),
  username: z.string().min(1),
  email: z.string().optional(),
  emailVerified: z.boolean().default(false),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  enabled: z.boolean().default(true),
  requiredActions: z.array(z.string()).default([]),
  credentials: z.array(credential).default([]),
  realmRoles: z.array(z.string()).default([]),
  clientRoles: z.record(z.string(), z.array(z.string())).default({}),
  serviceAccountClientId: z.string().optional(),
});

const client = z.object({
  clientId: z.string().min(1),
  secret: z.string().optional(),
  enabled: z.boolean().default(true),
  publicClient: z.boolean().default(false),
  standardFlowEnabled: z.boolean().default(true),
  directAccessGrantsEnabled: z.boolean().default(false),
  serviceAccountsEnabled: z.boolean().default(false),
  redirectUris: z.array(z.string()).default([]),
  webOrigins: z.array(z.string()).default([]),
  attributes: z.record(z.string(), z.string()).default({}),
});

const realmSchema = z.object({
  realm: z.string().regex(/^[\w.-]+$/, 'must be a realm name'),
  enabled: z.boolean().default(true),
  accessTokenLifespan: z.number().int().positive().default(300),
  ssoSessionIdleTimeout: z.number().int().positive().default(1800),
  ssoSessionMaxLifespan: z.number().int().positive().default(36000),
  revokeRefreshToken: z.boolean().default(false),
  refreshTokenMaxReuse: z.number().int().min(0).default(0),
  clients: z.array(client).default([]),
  users: z.array(user).default([]),
});

/** A realm as written in a file (defaults may be missing). */
export type RealmFile = z.input<typeof realmSchema>;
/** A realm with Keycloak's defaults applied. */
export type Realm = z.output<typeof realmSchema>;
export type RealmUser = Realm['users'][number];
export type RealmClient = Realm['clients'][number];
export type RealmCredential = RealmUser['credentials'][number];

export function parseRealm(input: unknown, source = 'realm'): Realm {
  const parsed = realmSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`${source} is not a usable Keycloak realm: ${problems.join('; ')}`);
}

export async function loadRealmFile(path: string): Promise<Realm> {
  const name = path.split(/[\\/]/).pop() ?? path;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${name}: cannot read the realm file (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseRealm(json, name);
}

/** Keycloak gives users random UUIDs; a stable one per realm and username keeps `sub` the same across restarts. */
export function userId(realm: string, user: RealmUser): string {
  if (user.id) return user.id;
  const hex = createHash('sha256').update(`${realm}/${user.username}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
