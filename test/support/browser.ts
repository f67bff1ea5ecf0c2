/**
 * A minimal browser for tests over real HTTP: keeps cookies per host (honouring Max-Age=0 / past Expires as deletion),
 * follows no redirect by itself, sends what the test asks.
 */
export class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async go(
    url: string | URL,
    init: { method?: string; headers?: Record<string, string>; form?: Record<string, string>; json?: unknown } = {},
  ): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const res = await fetch(target, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      redirect: 'manual',
      headers,
      ...(body === undefined ? {} : { body }),
    });
    this.store(target, res.headers.getSetCookie());
    return res;
  }

  cookie(url: string | URL, name: string): string | undefined {
    return this.jar(new URL(url)).get(name);
  }

  setCookie(url: string | URL, name: string, value: string): void {
    this.jar(new URL(url)).set(name, value);
  }

  cookieHeader(url: URL): string {
    return [...this.jar(url)].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private jar(url: URL): Map<string, string> {
    let jar = this.jars.get(url.host);
    if (!jar) {
      jar = new Map();
      this.jars.set(url.host, jar);
    }
    return jar;
  }

  private store(url: URL, setCookies: string[]): void {
    const jar = this.jar(url);
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const expired = attributes.some(
        (a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()),
      );
      if (!value || expired) jar.delete(name);
      else jar.set(name, value);
    }
  }
}
