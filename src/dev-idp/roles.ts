import type { User } from './realm-model.js';

/** The roles a user holds once composites are expanded: realm roles, and client roles by clientId. */
export interface EffectiveRoles {
  readonly realm: readonly string[];
  readonly clients: Readonly<Record<string, readonly string[]>>;
}

interface Grants {
  readonly realm?: readonly string[];
  readonly clients?: Readonly<Record<string, readonly string[]>>;
}

// Keycloak's built-in composites of a new realm. A realm import does not hand out default-roles-<realm> (a user
// holds exactly the roles the file lists), but a user that lists it gets all of this with it.
function realmComposites(realm: string): Record<string, Grants> {
  return {
    [`default-roles-${realm}`]: {
      realm: ['offline_access', 'uma_authorization'],
      clients: { account: ['manage-account', 'view-profile'] },
    },
  };
}

const CLIENT_COMPOSITES: Record<string, Record<string, Grants>> = {
  account: { 'manage-account': { clients: { account: ['manage-account-links'] } } },
  'realm-management': {
    'view-users': { clients: { 'realm-management': ['query-users', 'query-groups'] } },
    'view-clients': { clients: { 'realm-management': ['query-clients'] } },
  },
};

/** The roles a user holds: those the realm file gives it, and what Keycloak's built-in composites add to them. */
export function effectiveRoles(realmName: string, user: User): EffectiveRoles {
  const realm = new Set<string>();
  const clients = new Map<string, Set<string>>();
  const composites = realmComposites(realmName);
  const pending: Grants[] = [{ realm: user.realmRoles, clients: user.clientRoles }];
  for (let grants = pending.pop(); grants; grants = pending.pop()) {
    for (const role of grants.realm ?? []) {
      if (realm.has(role)) continue;
      realm.add(role);
      const more = composites[role];
      if (more) pending.push(more);
    }
    for (const [clientId, roles] of Object.entries(grants.clients ?? {})) {
      const held = clients.get(clientId) ?? new Set<string>();
      clients.set(clientId, held);
      for (const role of roles) {
        if (held.has(role)) continue;
        held.add(role);
        const more = CLIENT_COMPOSITES[clientId]?.[role];
        if (more) pending.push(more);
      }
    }
  }
  return {
    realm: [...realm],
    clients: Object.fromEntries(
      [...clients].filter(([, roles]) => roles.size > 0).map(([id, roles]) => [id, [...roles]]),
    ),
  };
}

/** Whether Keycloak lets the user have offline tokens: the offline_access realm role, directly or through a composite. */
export function mayGoOffline(realmName: string, user: User): boolean {
  return effectiveRoles(realmName, user).realm.includes('offline_access');
}
