import type { Adapter, AdapterPayload } from 'oidc-provider';

/*
 * oidc-provider's storage for one provider instance, in memory. Its built-in one is shared by every instance in a
 * process and warns on each start; this one belongs to the provider that created it, and forgets an entry at its
 * expiry as the built-in one does.
 */

interface Entry {
  payload: AdapterPayload;
  expiresAt: number | undefined;
}

export function memoryAdapter(): new (model: string) => Adapter {
  const entries = new Map<string, Entry>();
  const byGrant = new Map<string, Set<string>>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();

  const live = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return class MemoryAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string): string {
      return `${this.model}:${id}`;
    }

    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<undefined> {
      const key = this.key(id);
      entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (payload.grantId) {
        const keys = byGrant.get(payload.grantId) ?? new Set<string>();
        keys.add(key);
        byGrant.set(payload.grantId, keys);
      }
      if (payload.uid) byUid.set(payload.uid, id);
      if (payload.userCode) byUserCode.set(payload.userCode, id);
      return Promise.resolve(undefined);
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return Promise.resolve(live(this.key(id)));
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = byUid.get(uid);
      return Promise.resolve(id === undefined ? undefined : live(this.key(id)));
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = byUserCode.get(userCode);
      return Promise.resolve(id === undefined ? undefined : live(this.key(id)));
    }

    consume(id: string): Promise<undefined> {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      return Promise.resolve(undefined);
    }

    destroy(id: string): Promise<undefined> {
      entries.delete(this.key(id));
      return Promise.resolve(undefined);
    }

    revokeByGrantId(grantId: string): Promise<undefined> {
      for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
      byGrant.delete(grantId);
      return Promise.resolve(undefined);
    }
  };
}
