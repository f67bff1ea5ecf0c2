import type { ServiceTokenInfo } from '../contract/service-tokens.js';
import type { Failure } from '../idp/identity-provider.js';
import type { ServiceTokenRecord } from './service-token-store.js';

/** How the gateway is told to run service tokens (SERVICE_TOKEN* settings). */
export interface ServiceTokenSettings {
  enabled: boolean;
  /** The longest lifetime a token may be created with, in days. */
  maxDays: number;
  /** Whether tokens that never expire may be created. */
  eternal: boolean;
  /** The realm role an account needs to create tokens; undefined: any account, for itself. */
  creatorRole: string | undefined;
}

/** A token asked for: so many days, or forever. */
export type Lifetime = { days: number } | { eternal: true };

/** The realm's limits on offline sessions, in seconds; `max` null when the realm sets none. */
export interface OfflineLimits {
  idleSeconds: number;
  maxSeconds: number | null;
}

export type Invalid = { kind: 'invalid' };
export type Expired = { kind: 'expired' };
export type ProviderRefusal = { kind: 'failed'; error: Failure };

export type ExchangeOutcome =
  { kind: 'issued'; accessToken: string; expiresIn: number } | Invalid | Expired | ProviderRefusal;
export type InspectOutcome = { kind: 'found'; info: ServiceTokenInfo; record: ServiceTokenRecord } | Invalid | Expired;
export type CreateOutcome =
  { kind: 'created'; token: string; info: ServiceTokenInfo } | { kind: 'forbidden' } | { kind: 'no_offline_token' };
export type RevokeOutcome = { kind: 'revoked' } | { kind: 'forbidden' } | ProviderRefusal;

export const INVALID: Invalid = { kind: 'invalid' };
export const EXPIRED: Expired = { kind: 'expired' };

const DAY_MS = 24 * 3600 * 1000;

/** The card of a token as the contract shows it; never the secret. */
export function infoOf(record: ServiceTokenRecord, lastUsedAt: number | null, now: number): ServiceTokenInfo {
  return {
    id: record.id,
    name: record.name,
    owner: record.owner,
    created_at: new Date(record.createdAt).toISOString(),
    expires_at: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
    days_left: record.expiresAt === null ? null : Math.max(0, Math.floor((record.expiresAt - now) / DAY_MS)),
    last_used_at: lastUsedAt === null ? null : new Date(lastUsedAt).toISOString(),
  };
}

/**
 * Why the lifetime cannot be had, in words naming the limit, or undefined when it can: the gateway's settings first,
 * then the realm's offline sessions (a token outliving its offline session would die early, so it is refused instead).
 */
export function lifetimeProblem(
  lifetime: Lifetime,
  settings: ServiceTokenSettings,
  realm: OfflineLimits | undefined,
): string | undefined {
  if ('eternal' in lifetime) {
    if (!settings.eternal) return 'tokens that never expire are not allowed here (SERVICE_TOKENS_ETERNAL)';
    if (realm?.maxSeconds != null)
      return `the realm ends every offline session after ${days(realm.maxSeconds)} (offline session max lifespan)`;
    if (realm && realm.idleSeconds < settings.maxDays * 86400)
      return `the realm ends an offline session unused for ${days(realm.idleSeconds)} (offline session idle timeout)`;
    return undefined;
  }
  if (lifetime.days > settings.maxDays) return `must be at most ${settings.maxDays} (SERVICE_TOKEN_MAX_DAYS)`;
  const seconds = lifetime.days * 86400;
  if (realm?.maxSeconds != null && seconds > realm.maxSeconds)
    return `the realm ends every offline session after ${days(realm.maxSeconds)} (offline session max lifespan)`;
  if (realm && seconds > realm.idleSeconds)
    return `the realm ends an offline session unused for ${days(realm.idleSeconds)} (offline session idle timeout)`;
  return undefined;
}

function days(seconds: number): string {
  const whole = seconds / 86400;
  return Number.isInteger(whole) ? `${whole} days` : `${seconds} seconds`;
}
