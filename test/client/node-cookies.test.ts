import { describe, expect, it } from '@jest/globals';
import { NodeCookies } from '../../src/client/node-cookies.js';

describe("the SDK's cookie jar outside a browser", () => {
  it('sends back the name and the value exactly as the gateway set them, without the attributes', () => {
    const jar = new NodeCookies();
    jar.remember(['authgate.sid=s%3Aabc.d%2Be%2Ff; Path=/; HttpOnly; SameSite=Lax', 'other=1; Max-Age=60']);
    expect(jar.header()).toBe('authgate.sid=s%3Aabc.d%2Be%2Ff; other=1');
  });

  it('drops a cookie the gateway clears, by an empty value, Max-Age=0 or an Expires in the past', () => {
    const jar = new NodeCookies();
    jar.remember(['a=1', 'b=2', 'c=3', 'd=4']);
    jar.remember(['a=; Path=/', 'b=x; Max-Age=0', 'c=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(jar.header()).toBe('d=4');
  });

  it('ignores a line without a name, and anything that is not a header value', () => {
    const jar = new NodeCookies();
    jar.remember(['=x', 'novalue']);
    jar.remember(undefined);
    jar.remember(42);
    expect(jar.header()).toBeUndefined();
    jar.remember('single=1');
    expect(jar.header()).toBe('single=1');
  });
});
