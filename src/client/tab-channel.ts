import type { StoredTokens } from './token-storage.js';

export type TabMessage =
  { type: 'loggedOut' } | { type: 'sessionExpired' } | { type: 'loggedIn' } | { type: 'tokens'; tokens: StoredTokens };

/**
 * What one tab tells the others: a logout or an expired session reaches every tab, and in token mode new tokens are
 * handed over instead of each tab refreshing on its own. A BroadcastChannel where there is one (browsers, Node 18+),
 * otherwise nothing.
 */
export class TabChannel {
  private readonly channel: BroadcastChannel | undefined;

  constructor(name: string, onMessage: (message: TabMessage) => void) {
    if (typeof BroadcastChannel === 'undefined') return;
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
    // In Node a channel keeps the process alive; a client should not.
    (this.channel as unknown as { unref?: () => void }).unref?.();
  }

  post(message: TabMessage): void {
    this.channel?.postMessage(message);
  }

  close(): void {
    this.channel?.close();
  }
}

/**
 * Runs `work` while holding a lock shared by every tab of the origin (the Web Locks API), so two tabs never spend
 * the same refresh token. Where there are no Web Locks (Node, old browsers), it just runs.
 *
 * The result is handed back as soon as `work` ends, but the lock is kept `holdAfterMs` longer: the next tab in line
 * learns of the new tokens through its own copy of localStorage and through the BroadcastChannel, and a browser
 * delivers both to other tabs asynchronously. Without the pause a tab granted the lock at once could still read the
 * spent refresh token and send it, and with rotation and reuse detection that ends the session for every tab.
 */
export function withTabLock<T>(name: string, holdAfterMs: number, work: () => Promise<T>): Promise<T> {
  const locks = (
    globalThis as { navigator?: { locks?: { request: (name: string, cb: () => Promise<void>) => Promise<void> } } }
  ).navigator?.locks;
  if (!locks) return work();
  return new Promise<T>((resolve, reject) => {
    locks
      .request(name, async () => {
        try {
          resolve(await work());
        } catch (err) {
          reject(err);
        }
        await new Promise((settled) => setTimeout(settled, holdAfterMs));
      })
      .catch(reject);
  });
}
