/**
 * The small set of operations every piece of shared state needs (logout denylist, refresh locks and results, pending
 * code-flow logins). One interface, two implementations: in memory for a single instance, Redis for many. Values are
 * strings; keys are the caller's, already namespaced. Every failure to reach the store surfaces as the contract's
 * `session_store_unavailable`, never as a missing key.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Reads several keys in one step (one round trip to Redis); the values in the keys' order. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** A TTL of `Infinity` keeps the value until deleted (service tokens that never expire). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Stores only when the key is absent; true when stored. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Reads and deletes in one step, so two readers can never both get the value. */
  take(key: string): Promise<string | undefined>;
  /** Extends the key's lifetime only while it still holds `value`; true when extended. */
  extendIfValue(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key only while it still holds `value`. */
  deleteIfValue(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds a member to the set at `key` (kept until deleted, like a value stored with an infinite TTL). */
  addMember(key: string, member: string): Promise<void>;
  removeMember(key: string, member: string): Promise<void>;
  /** The set's members, in no particular order; empty when there is no set. */
  members(key: string): Promise<string[]>;
}
