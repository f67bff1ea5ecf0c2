import type { StoredTokens } from './token-storage.js';

export type TabMessage = { type: 'loggedOut' } | { type: 'sessionExpired' } | { type: 'loggedIn' } | { type: 'tokens'; tokens: StoredTokens };

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
 */
export async function withTabLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: { request: (name: string, cb: () => Promise<T>) => Promise<T> } } }).navigator?.locks;
  return locks ? locks.request(name, work) : work();
}
