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
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const expired = attributes.some((a) => /^max-age=(0|-\d+)$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()));
      if (!value || expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
}

export const inBrowser = (): boolean => typeof (globalThis as { document?: unknown }).document !== 'undefined';
