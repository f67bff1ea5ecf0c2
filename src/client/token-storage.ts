/** What token mode keeps between calls. `accessExpiresAt` is milliseconds since the epoch, by this client's clock. */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
}

/**
 * Where token mode keeps its tokens. The default is memory (gone with the page, invisible to other scripts' storage
 * reads); `webStorage(localStorage)` shares them between tabs and survives a reload, at the price of being readable
 * by any script on the page.
 */
export interface TokenStorage {
  get(): StoredTokens | null;
  set(tokens: StoredTokens): void;
  clear(): void;
}

export function memoryStorage(): TokenStorage {
  let tokens: StoredTokens | null = null;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
    clear: () => {
      tokens = null;
    },
  };
}

/** Tokens in a Web Storage area (localStorage, sessionStorage) under one key. */
export function webStorage(
  area: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
  key = 'authgate.tokens',
): TokenStorage {
  return {
    get: () => {
      try {
        const parsed = JSON.parse(area.getItem(key) ?? 'null') as StoredTokens | null;
        return parsed && typeof parsed.accessToken === 'string' && typeof parsed.refreshToken === 'string'
          ? parsed
          : null;
      } catch {
        return null;
      }
    },
    set: (tokens) => area.setItem(key, JSON.stringify(tokens)),
    clear: () => area.removeItem(key),
  };
}
