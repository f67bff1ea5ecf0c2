import { parseSetCookie } from 'cookie';

// The raw value goes back exactly as the gateway sent it (a signed session id is already encoded).
const keepRaw = (value: string) => value;

/**
 * Outside a browser nothing keeps cookies, so a Node script in session mode would lose its session after login.
 * This keeps the cookies the gateway sets (name and value; a cleared or expired one is dropped) and sends them back,
 * as a browser would for this one origin. In a browser it is never used: the browser's own jar, HttpOnly, does it.
 */
export class NodeCookies {
  private readonly jar = new Map<string, string>();

  header(): string | undefined {
    return this.jar.size === 0 ? undefined : [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  remember(setCookie: unknown): void {
    const lines = Array.isArray(setCookie) ? setCookie : typeof setCookie === 'string' ? [setCookie] : [];
    for (const line of lines as string[]) {
      const { name, value, maxAge, expires } = parseSetCookie(line, { decode: keepRaw });
      if (!name) continue;
      const expired =
        (maxAge !== undefined && maxAge <= 0) || (expires !== undefined && expires.getTime() <= Date.now());
      if (!value || expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
}

export const inBrowser = (): boolean => typeof (globalThis as { document?: unknown }).document !== 'undefined';
