import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/*
 * The subset of Keycloak's realm representation the development IdP understands. Real exports carry hundreds of other
 * fields: zod's default object mode drops them, so an export loads as long as these fields are well-formed.
 * Defaults are Keycloak's own for a field missing at import (RepresentationToModel / the JPA entities): realms, users
 * and client flows other than the standard flow start switched OFF, exactly as on a real server.
 */

const credentialSchema = z.object({
  type: z.string().default('password'),
  /** Keycloak's import format: a plain password, hashed by Keycloak at import time. */
  value: z.string().optional(),
  temporary: z.boolean().default(false),
  /** Keycloak's export format: JSON strings holding a PBKDF2/Argon2 hash (see passwords.ts). */
  secretData: z.string().optional(),
  credentialData: z.string().optional(),
});

const userSchema = z.object({
  id: z.string().min(1).optional(),
  username: z.string().min(1),
  email: z.string().optional(),
  emailVerified: z.boolean().default(false),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  enabled: z.boolean().default(false),
  requiredActions: z.array(z.string()).default([]),
  credentials: z.array(credentialSchema).default([]),
  realmRoles: z.array(z.string()).default([]),
  clientRoles: z.record(z.string(), z.array(z.string())).default({}),
  serviceAccountClientId: z.string().optional(),
});

const clientSchema = z.object({
  clientId: z.string().min(1),
  secret: z.string().optional(),
  enabled: z.boolean().default(true),
  publicClient: z.boolean().default(false),
  bearerOnly: z.boolean().default(false),
  standardFlowEnabled: z.boolean().default(true),
  directAccessGrantsEnabled: z.boolean().default(false),
  serviceAccountsEnabled: z.boolean().default(false),
  redirectUris: z.array(z.string()).default([]),
  webOrigins: z.array(z.string()).default([]),
  attributes: z.record(z.string(), z.string()).default({}),
  /** Absent: Keycloak's built-in assignment (see scopes.ts). */
  defaultClientScopes: z.array(z.string()).optional(),
  optionalClientScopes: z.array(z.string()).optional(),
});

const roleSchema = z.object({ name: z.string().min(1), description: z.string().optional() });

const realmName = z
  .string()
  .min(1)
  .refine((name) => !/[/\\?#%]/.test(name), 'must not contain / \\ ? # or %');

const seconds = (fallback: number) => z.number().int().nonnegative().default(fallback);

export const realmFileSchema = z
  .object({
    realm: realmName,
    enabled: z.boolean().default(false),
    loginWithEmailAllowed: z.boolean().default(true),
    registrationEmailAsUsername: z.boolean().default(false),
    duplicateEmailsAllowed: z.boolean().default(false),
    /** Keycloak's policy string, e.g. `length(8) and notUsername`; applied to passwords set through the Admin API. */
    passwordPolicy: z.string().optional(),
    accessTokenLifespan: seconds(300),
    ssoSessionIdleTimeout: seconds(1800),
    ssoSessionMaxLifespan: seconds(36000),
    offlineSessionIdleTimeout: seconds(2592000),
    offlineSessionMaxLifespanEnabled: z.boolean().default(false),
    offlineSessionMaxLifespan: seconds(5184000),
    revokeRefreshToken: z.boolean().default(false),
    refreshTokenMaxReuse: z.number().int().nonnegative().default(0),
    roles: z.object({ realm: z.array(roleSchema).default([]) }).default({ realm: [] }),
    clients: z.array(clientSchema).default([]),
    users: z.array(userSchema).default([]),
  })
  .superRefine((realm, ctx) => {
    // Keycloak refuses such an import; failing here names the culprit instead of answering for the wrong one later.
    const seenClients = new Set<string>();
    realm.clients.forEach((client, index) => {
      if (seenClients.has(client.clientId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clients', index, 'clientId'],
          message: `duplicate clientId "${client.clientId}"`,
        });
      }
      seenClients.add(client.clientId);
    });
    const seenUsers = new Set<string>();
    realm.users.forEach((user, index) => {
      const name = user.username.toLowerCase();
      if (seenUsers.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['users', index, 'username'],
          message: `duplicate username "${user.username}"`,
        });
      }
      seenUsers.add(name);
    });
  });

/** A realm as written in a file or built by a test: Keycloak's defaults may be missing. */
export type RealmFile = z.input<typeof realmFileSchema>;
/** A validated realm with Keycloak's defaults filled in. Plain data: safe to structuredClone and edit. */
export type Realm = z.output<typeof realmFileSchema>;
export type RealmUser = Realm['users'][number];
export type RealmClient = Realm['clients'][number];
export type RealmCredential = RealmUser['credentials'][number];

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.reduce<string>(
        (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
        '',
      );
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates a realm object (already parsed JSON); the error names every bad field. */
export function parseRealm(input: unknown, source = 'realm'): Realm {
  const result = realmFileSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid ${source}: ${describeIssues(result.error)}`);
  return result.data;
}

export async function loadRealmFile(path: string): Promise<Realm> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`invalid realm file ${path}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseRealm(json, `realm file ${path}`);
}
