import type { Logger } from '../observability/logger.js';
import type { RedisClient } from '../stores/redis-client.js';

/** Whether service tokens outlive a restart of what stores them. */
export type Durability =
  | { kind: 'unchecked' }
  | { kind: 'durable'; how: string }
  /** Kept nowhere but in memory: a restart of Redis (or of the process, in memory) ends every service token. */
  | { kind: 'volatile'; warning: string }
  | { kind: 'unknown'; warning: string };

const VOLATILE_REDIS =
  'Redis keeps nothing on disk (no AOF, no RDB save points): a restart of Redis ends every service token. Turn on appendonly or save points';

/**
 * What the gateway found out about the durability of its service tokens at start-up, for the log and /readyz.
 * Read once: persistence is configuration, and a start-up check is what an operator reads.
 */
export class ServiceTokenDurability {
  current: Durability = { kind: 'unchecked' };

  /** In memory: tokens die with the process; said once, not a warning (a development set-up). */
  noteMemory(logger: Logger): void {
    this.current = { kind: 'volatile', warning: 'service tokens are kept in memory and die with the process' };
    logger.info('service tokens are kept in memory and die with the process', {
      event: 'service_token.storage_in_memory',
    });
  }

  /** Reads INFO persistence, and CONFIG GET save when allowed (managed Redis often refuses CONFIG). */
  async checkRedis(client: RedisClient, logger: Logger, readyWithinMs = 10_000): Promise<Durability> {
    // The client connects in the background and queues nothing: wait for it at start, as long as is reasonable.
    if (!client.isReady) await ready(client, readyWithinMs);
    this.current = await readDurability(client);
    if (this.current.kind === 'durable') {
      logger.info('service tokens are durable', { event: 'service_token.storage_durable', how: this.current.how });
    } else if (this.current.kind !== 'unchecked') {
      logger.warn(`SERVICE TOKENS ARE NOT DURABLE: ${this.current.warning}`, {
        event: 'service_token.storage_not_durable',
      });
    }
    return this.current;
  }

  /** What /readyz shows: a warning only when Redis holds the tokens and may lose them. */
  readinessWarning(): string | undefined {
    const { current } = this;
    return current.kind === 'unknown' || (current.kind === 'volatile' && current.warning === VOLATILE_REDIS)
      ? current.warning
      : undefined;
  }
}

function ready(client: RedisClient, withinMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, withinMs);
    timer.unref();
    client.on('ready', done);
  });
}

async function readDurability(client: RedisClient): Promise<Durability> {
  let info: string;
  try {
    info = await client.info('persistence');
  } catch {
    return {
      kind: 'unknown',
      warning: 'Redis did not answer INFO persistence: cannot tell whether service tokens survive its restart',
    };
  }
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
  if (field('aof_enabled') === '1') return { kind: 'durable', how: 'aof' };
  let save: string | undefined;
  try {
    const reply = (await client.configGet('save')) as Record<string, string>;
    save = reply.save;
  } catch {
    save = undefined;
  }
  if (save === undefined) {
    return {
      kind: 'unknown',
      warning:
        'Redis has no AOF and refused CONFIG GET save: cannot tell whether it saves RDB snapshots, and so whether service tokens survive its restart',
    };
  }
  return save.trim() === '' ? { kind: 'volatile', warning: VOLATILE_REDIS } : { kind: 'durable', how: 'rdb' };
}
