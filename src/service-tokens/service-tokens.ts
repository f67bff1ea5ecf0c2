import type { ServiceTokenInfo } from '../contract/service-tokens.js';
import type { User } from '../contract/user.js';
import type { IdentityProvider, TokenSet } from '../idp/identity-provider.js';
import type { Logger } from '../observability/logger.js';
import type { SessionCodec } from '../sessions/session-codec.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import type { Clock } from '../support/clock.js';
import { ServiceTokenExchanger } from './exchanger.js';
import {
  EXPIRED,
  INVALID,
  infoOf,
  type CreateOutcome,
  type ExchangeOutcome,
  type InspectOutcome,
  type Lifetime,
  type RevokeOutcome,
  type ServiceTokenSettings,
} from './outcomes.js';
import { ServiceTokenStore, type ServiceTokenRecord } from './service-token-store.js';
import { hashSecret, mintServiceToken, parseServiceToken, secretMatches } from './token-format.js';

export interface ServiceTokensOptions {
  identityProvider: IdentityProvider;
  /** Where the tokens live: never evicted (Stores.durable). */
  durable: KeyValueStore;
  /** Where the refresh locks live (Stores.shared). */
  shared: KeyValueStore;
  codec: SessionCodec;
  settings: ServiceTokenSettings;
  clock: Clock;
  logger: Logger;
  idpTimeoutMs: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Service tokens: gateway-issued credentials that stand for a provider offline session. Every operation answers with
 * a value saying what happened; only the unexpected (the provider or the store unreachable) is thrown.
 */
export class ServiceTokens {
  private readonly store: ServiceTokenStore;
  private readonly exchanger: ServiceTokenExchanger;

  constructor(private readonly options: ServiceTokensOptions) {
    this.store = new ServiceTokenStore(options.durable, options.codec, options.clock);
    this.exchanger = new ServiceTokenExchanger({ ...options, store: this.store });
  }

  get settings(): ServiceTokenSettings {
    return this.options.settings;
  }

  /**
   * A token for the account that has just proven itself with its password (`tokens` from a login with the
   * offline_access scope). Not allowed: the offline session just made is ended again.
   */
  async create(input: { tokens: TokenSet; user: User; name: string; lifetime: Lifetime }): Promise<CreateOutcome> {
    const { tokens, user, name, lifetime } = input;
    const { creatorRole } = this.options.settings;
    const offlineToken = tokens.refresh_token;
    if (creatorRole !== undefined && !user.roles.includes(creatorRole)) {
      if (offlineToken) await this.endOffline(offlineToken);
      return { kind: 'forbidden' };
    }
    if (!offlineToken) return { kind: 'no_offline_token' };
    const now = this.options.clock.now();
    const { id, secret, token } = mintServiceToken();
    const record: ServiceTokenRecord = {
      id,
      secretHash: hashSecret(secret),
      name,
      owner: user.username,
      sub: user.sub,
      createdAt: now,
      expiresAt: 'days' in lifetime ? now + lifetime.days * DAY_MS : null,
      offlineToken,
    };
    await this.store.write(record);
    await this.store.keepAccess(id, {
      accessToken: tokens.access_token,
      issuedAt: now,
      expiresAt: now + tokens.expires_in * 1000,
    });
    this.options.logger.info('service_token.created', {
      event: 'service_token.created',
      tokenId: id,
      owner: record.owner,
      eternal: record.expiresAt === null,
    });
    return { kind: 'created', token, info: infoOf(record, null, now) };
  }

  /** A short access token for the presented service token. */
  async exchange(token: string): Promise<ExchangeOutcome> {
    const found = await this.check(token);
    if (found.kind !== 'found') return found;
    const outcome = await this.exchanger.accessFor(found.record);
    if (outcome.kind === 'issued') await this.store.touch(found.record);
    return outcome;
  }

  /** The presented token's card. */
  async inspect(token: string): Promise<InspectOutcome> {
    return this.check(token);
  }

  /** The owner of a valid, unexpired token: who its holder may act as on the list and revoke routes. */
  async ownerOf(token: string): Promise<string | undefined> {
    const found = await this.check(token);
    return found.kind === 'found' ? found.record.owner : undefined;
  }

  async list(owner: string): Promise<ServiceTokenInfo[]> {
    const now = this.options.clock.now();
    return (await this.store.listOf(owner)).map(({ record, lastUsedAt }) => infoOf(record, lastUsedAt, now));
  }

  /**
   * Ends the token and its offline session at the provider. An unknown id answers as another owner's would, so a
   * caller learns nothing about ids that are not theirs. A provider that cannot end the session leaves the token as it
   * was (the provider's failure is thrown), so a retry can finish the job.
   */
  async revoke(id: string, owner: string): Promise<RevokeOutcome> {
    const outcome = await this.exchanger.whileLocked(id, async (): Promise<RevokeOutcome> => {
      const record = await this.store.read(id);
      if (!record || record.owner !== owner) return { kind: 'forbidden' };
      const ended = await this.options.identityProvider.logout(record.offlineToken);
      // invalid_grant: the offline session had already ended.
      if (!ended.ok && ended.error.code !== 'invalid_grant') return { kind: 'failed', error: ended.error };
      await this.store.remove(record);
      this.options.logger.info('service_token.revoked', { event: 'service_token.revoked', tokenId: id, owner });
      return { kind: 'revoked' };
    });
    return outcome;
  }

  private async check(token: string): Promise<InspectOutcome> {
    const parts = parseServiceToken(token);
    if (!parts) return INVALID;
    const record = await this.store.read(parts.id);
    if (!record || !secretMatches(parts.secret, record.secretHash)) return INVALID;
    const now = this.options.clock.now();
    if (record.expiresAt !== null && now >= record.expiresAt) return EXPIRED;
    return { kind: 'found', record, info: infoOf(record, await this.store.lastUsed(record.id), now) };
  }

  private async endOffline(offlineToken: string): Promise<void> {
    await this.options.identityProvider.logout(offlineToken).catch(() => undefined);
  }
}
