import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../../src/support/project-root.js';

/*
 * The people and the one confidential client of the generic provider, taken from the demo realm file so that both
 * providers know the same alice. Only what a plain OpenID Connect provider keeps is read: no realm settings, no client
 * scopes, no Keycloak ids. A user without an `id` gets one derived from its username, in this provider's own namespace.
 */

const userSchema = z.object({
  id: z.string().min(1).optional(),
  username: z.string().min(1),
  email: z.string().optional(),
  emailVerified: z.boolean().default(false),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  enabled: z.boolean().default(false),
  credentials: z.array(z.object({ type: z.string().default('password'), value: z.string().optional() })).default([]),
  realmRoles: z.array(z.string()).default([]),
  serviceAccountClientId: z.string().optional(),
});

const clientSchema = z.object({
  clientId: z.string().min(1),
  secret: z.string().optional(),
  enabled: z.boolean().default(true),
  redirectUris: z.array(z.string()).default([]),
  directAccessGrantsEnabled: z.boolean().default(false),
  serviceAccountsEnabled: z.boolean().default(false),
  attributes: z.record(z.string(), z.string()).default({}),
});

const directorySchema = z.object({
  users: z.array(userSchema).default([]),
  clients: z.array(clientSchema).default([]),
});

export type DirectoryFile = z.input<typeof directorySchema>;

export interface Person {
  readonly id: string;
  readonly username: string;
  readonly enabled: boolean;
  readonly password: string | undefined;
  readonly roles: readonly string[];
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  readonly givenName: string | undefined;
  readonly familyName: string | undefined;
}

export interface ConfidentialClient {
  readonly clientId: string;
  readonly secret: string;
  /** Exact URIs, and prefixes written as `<prefix>*` (the realm file's wildcard form). */
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly passwordGrant: boolean;
  readonly clientCredentials: boolean;
}

function derivedId(username: string): string {
  const hex = createHash('sha256').update(`authgate-generic-idp/${username}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-b${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function sameText(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

export class Directory {
  readonly people: readonly Person[];
  readonly clients: readonly ConfidentialClient[];

  constructor(file: DirectoryFile) {
    const parsed = directorySchema.parse(file);
    this.people = parsed.users
      .filter((u) => u.serviceAccountClientId === undefined)
      .map((u) => ({
        id: u.id ?? derivedId(u.username.toLowerCase()),
        username: u.username.toLowerCase(),
        enabled: u.enabled,
        password: u.credentials.find((c) => c.type === 'password')?.value,
        roles: u.realmRoles,
        email: u.email,
        emailVerified: u.emailVerified,
        givenName: u.firstName,
        familyName: u.lastName,
      }));
    this.clients = parsed.clients
      .filter((c) => c.enabled && c.secret !== undefined)
      .map((c) => ({
        clientId: c.clientId,
        secret: c.secret!,
        redirectUris: c.redirectUris,
        postLogoutRedirectUris: (c.attributes['post.logout.redirect.uris'] ?? '').split('##').filter(Boolean),
        passwordGrant: c.directAccessGrantsEnabled,
        clientCredentials: c.serviceAccountsEnabled,
      }));
  }

  byId(id: string): Person | undefined {
    return this.people.find((p) => p.id === id);
  }

  /** The person these credentials name, or why not: the caller decides what to tell whom. */
  check(username: string, password: string): Person | 'unknown' | 'wrong_password' | 'disabled' {
    const name = username.toLowerCase();
    const person = this.people.find((p) => p.username === name || p.email?.toLowerCase() === name);
    // Compared anyway, so that an unknown name takes as long as a known one.
    const matches = sameText(person?.password ?? '\u0000', password);
    if (!person) return 'unknown';
    if (!matches || person.password === undefined) return 'wrong_password';
    if (!person.enabled) return 'disabled';
    return person;
  }
}

export async function demoDirectory(): Promise<DirectoryFile> {
  return JSON.parse(await readFile(join(projectRoot(), 'keycloak-realm.json'), 'utf8')) as DirectoryFile;
}

/** Whether `uri` is one of `allowed`, or starts with the prefix of an entry ending in `*`. */
export function uriAllowed(allowed: readonly string[], uri: string): boolean {
  return allowed.some((entry) => (entry.endsWith('*') ? uri.startsWith(entry.slice(0, -1)) : entry === uri));
}
