import { createHash } from 'node:crypto';
import { compilePassword, type StoredPassword } from './passwords.js';
import type { Realm, RealmClient, RealmUser } from './realm-file.js';

/** A realm user as the IdP acts on it: Keycloak's normalisations applied once, at start. */
export interface User {
  readonly id: string;
  /** Lower case, as Keycloak stores (and puts in preferred_username) every username. */
  readonly username: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  readonly enabled: boolean;
  readonly requiredActions: readonly string[];
  readonly password: StoredPassword | undefined;
  readonly realmRoles: readonly string[];
  readonly clientRoles: Readonly<Record<string, readonly string[]>>;
  readonly serviceAccountClientId: string | undefined;
  /** A service account Keycloak created itself (not in the file): its client got the service-account claim mappers. */
  readonly serviceAccountMappers: boolean;
  /** Milliseconds since the epoch for a user created through the Admin API; imported users have none. */
  readonly createdTimestamp?: number;
}

/**
 * Why a user cannot log in yet, as Keycloak's "Account is not fully set up": a required action, or (VERIFY_PROFILE) a
 * profile missing what the default user profile requires of a user: email, first and last name.
 */
export function needsAction(user: User): boolean {
  return user.requiredActions.length > 0 || !user.email || !user.firstName || !user.lastName;
}

/**
 * Keycloak gives imported users without an `id` a random UUID. A UUID derived from realm and username instead keeps
 * `sub` the same across restarts of the development IdP, which the gateway's sessions and tests rely on.
 */
export function stableUserId(realm: string, username: string): string {
  const hex = createHash('sha256').update(`authgate-dev-idp/${realm}/${username.toLowerCase()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function toUser(realm: string, user: RealmUser): User {
  const username = user.username.toLowerCase();
  // Keycloak's import turns a temporary password into the UPDATE_PASSWORD required action.
  const temporary = user.credentials.some((c) => c.type === 'password' && c.temporary);
  const requiredActions =
    temporary && !user.requiredActions.includes('UPDATE_PASSWORD')
      ? [...user.requiredActions, 'UPDATE_PASSWORD']
      : user.requiredActions;
  return {
    id: user.id ?? stableUserId(realm, username),
    username,
    email: user.email?.toLowerCase(),
    emailVerified: user.emailVerified,
    firstName: user.firstName,
    lastName: user.lastName,
    enabled: user.enabled,
    requiredActions,
    password: compilePassword(user.credentials),
    realmRoles: user.realmRoles,
    clientRoles: user.clientRoles,
    serviceAccountClientId: user.serviceAccountClientId,
    serviceAccountMappers: false,
  };
}

/**
 * Keycloak's import creates the service-account user of a client that has none in the file, the way an
 * administrator's "enable service accounts" does: with the realm's default roles and the client's claim mappers.
 */
function syntheticServiceAccount(realm: string, client: RealmClient): User {
  const username = `service-account-${client.clientId}`.toLowerCase();
  return {
    id: stableUserId(realm, username),
    username,
    email: undefined,
    emailVerified: false,
    firstName: undefined,
    lastName: undefined,
    enabled: true,
    requiredActions: [],
    password: undefined,
    realmRoles: [`default-roles-${realm}`],
    clientRoles: {},
    serviceAccountClientId: client.clientId,
    serviceAccountMappers: true,
  };
}

/** The realm's clients and users with the lookups Keycloak's endpoints make. */
export class RealmModel {
  readonly name: string;
  private readonly clientsById: ReadonlyMap<string, RealmClient>;
  // Mutable: the Admin API adds and removes users while the IdP runs.
  private readonly userList: User[];
  private readonly usersById: Map<string, User>;

  constructor(readonly settings: Realm) {
    this.name = settings.realm;
    this.clientsById = new Map(settings.clients.map((c) => [c.clientId, c]));
    const users = settings.users.map((u) => toUser(this.name, u));
    for (const client of settings.clients) {
      if (client.serviceAccountsEnabled && !users.some((u) => u.serviceAccountClientId === client.clientId)) {
        users.push(syntheticServiceAccount(this.name, client));
      }
    }
    this.userList = users;
    this.usersById = new Map(users.map((u) => [u.id, u]));
  }

  get users(): readonly User[] {
    return this.userList;
  }

  addUser(user: User): void {
    this.userList.push(user);
    this.usersById.set(user.id, user);
  }

  /** Answers whether there was such a user. Its sessions live on until they expire, as tokens do at Keycloak. */
  removeUser(id: string): boolean {
    const index = this.userList.findIndex((u) => u.id === id);
    if (index < 0) return false;
    this.userList.splice(index, 1);
    this.usersById.delete(id);
    return true;
  }

  userForUsername(username: string): User | undefined {
    const wanted = username.toLowerCase();
    return this.userList.find((u) => u.username === wanted);
  }

  userForEmail(email: string): User | undefined {
    const wanted = email.toLowerCase();
    return this.userList.find((u) => u.email === wanted);
  }

  client(clientId: string): RealmClient | undefined {
    return this.clientsById.get(clientId);
  }

  userById(id: string): User | undefined {
    return this.usersById.get(id);
  }

  /** Keycloak's findUserByNameOrEmail: by email first when the input has an @ and the realm allows it, then by username. */
  userForLogin(input: string): User | undefined {
    const wanted = input.toLowerCase();
    if (this.settings.loginWithEmailAllowed && wanted.includes('@')) {
      const byEmail = this.userForEmail(wanted);
      if (byEmail) return byEmail;
    }
    return this.userForUsername(wanted);
  }

  serviceAccountOf(clientId: string): User | undefined {
    return this.users.find((u) => u.serviceAccountClientId === clientId);
  }

  /** People who can log in, for the start-up line (service accounts cannot). */
  loginUsers(): User[] {
    return this.users.filter((u) => u.serviceAccountClientId === undefined);
  }
}
