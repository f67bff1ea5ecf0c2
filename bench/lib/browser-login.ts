import { Browser } from '../../test/support/browser.js';

/** Logs in to the peer through the IdP's login page, as a browser would; returns the peer's cookie header. */
export async function loginThroughIdp(peerUrl: string, username: string, password: string): Promise<string> {
  const browser = new Browser();
  let res = await browser.go(`${peerUrl}/login`);
  for (let hops = 0; hops < 12; hops += 1) {
    const location = res.headers.get('location');
    if (res.status === 200 && /<form/.test(await res.clone().text())) {
      res = await browser.go(new URL(res.url), { form: { username, password } });
      continue;
    }
    if (!location) break;
    res = await browser.go(new URL(location, res.url || peerUrl));
  }
  const cookie = browser.cookieHeader(new URL(peerUrl));
  if (!cookie.includes('appSession')) throw new Error(`the peer login did not complete (last status ${res.status})`);
  return cookie;
}
