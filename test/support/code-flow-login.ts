import type { Browser } from './browser.js';

/** The demo realm's redirect URI: the gateway's PUBLIC_URL (default http://localhost:3000) plus /api/auth/callback. */
export const PUBLIC_ORIGIN = 'http://localhost:3000';
export const REDIRECT_URI = `${PUBLIC_ORIGIN}/api/auth/callback`;

/** The gateway is published at PUBLIC_ORIGIN; in a test it listens elsewhere, so the browser goes there instead. */
export function atGateway(serverUrl: string): (url: string | URL) => URL {
  return (url) => {
    const u = new URL(url, PUBLIC_ORIGIN);
    return new URL(`${u.pathname}${u.search}`, serverUrl);
  };
}

/**
 * From the gateway's 302 to the provider (the answer to GET /api/auth/login), signs in on the provider's page;
 * returns the callback URL the provider sends the browser back to.
 */
export async function signInFrom(browser: Browser, start: Response, idpUrl: string, username = 'alice'): Promise<URL> {
  let location = new URL(start.headers.get('location') ?? '', idpUrl);
  let res = await browser.go(location);
  location = new URL(res.headers.get('location') ?? '', idpUrl);
  res = await browser.go(location, { form: { username, password: `${username}-password` } });
  for (let hops = 0; hops < 5; hops += 1) {
    location = new URL(res.headers.get('location') ?? '', idpUrl);
    if (location.href.startsWith(REDIRECT_URI)) return location;
    res = await browser.go(location);
  }
  throw new Error('the IdP never sent the browser back to the gateway');
}
