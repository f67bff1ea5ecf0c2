import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { isApiError } from '../../src/errors/api-error.js';
import { parseReturnTo } from '../../src/http/return-to.js';
import { Browser } from '../support/browser.js';
import { atGateway, PUBLIC_ORIGIN, REDIRECT_URI, signInFrom } from '../support/code-flow-login.js';
import { replayable } from '../support/fast-check.js';
import { buildTestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen, type Listening } from '../support/listen.js';

/*
 * Whatever return_to a login starts with, the Location the callback sends can only be a path on the gateway's own
 * origin. Values are built from the pieces open-redirect payloads are made of. A failure prints its seed:
 * FC_SEED=<seed> (and FC_PATH=<path>) replays it.
 */

const PIECES = [
  '/',
  '//',
  '\\',
  '.',
  '..',
  '%2e',
  '%2E',
  '%2e%2e',
  '.%2e',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%252f',
  '%25',
  '%',
  '%00',
  '%09',
  '%0a',
  '%0d',
  '%20',
  '\t',
  '\n',
  '\r',
  ' ',
  '@',
  ':',
  '?',
  '#',
  '&',
  '=',
  ';',
  'evil.example',
  'localhost:3000',
  'localhost:3000.evil.example',
  'http:',
  'https:',
  'javascript:',
  'app',
  'a',
  // Look-alikes: ideographic and fullwidth full stops, fullwidth solidus and reverse solidus, division and fraction
  // slashes, zero-width space, no-break space, byte order mark.
  '\u3002',
  '\uff0e',
  '\uff0f',
  '\uff3c',
  '\u2215',
  '\u2044',
  '\u200b',
  '\u00a0',
  '\ufeff',
];
const pieces = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((p) => p.join(''));
const returnTo = fc.oneof(
  pieces,
  pieces.map((p) => `/${p}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webPath(),
);

/** Known payloads first, on every run: the attack run's and their variants. */
const ATTACKS = [
  '/.//evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '/app/..//evil.example',
  '/.%2e//evil.example',
  '/%2fevil.example',
  '/%5cevil.example',
];

/** What a browser does with a Location header on the callback's answer. */
function resolvedByBrowser(location: string): URL {
  return new URL(location, REDIRECT_URI);
}

/** The path decoded once, as a proxy or a router in front of the app might. */
function decodedOnce(path: string): string {
  return path.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function expectSameSitePath(location: string): void {
  expect(location).toMatch(/^\/(?![/\\])/);
  expect(resolvedByBrowser(location).origin).toBe(PUBLIC_ORIGIN);
  expect(decodedOnce(new URL(location, PUBLIC_ORIGIN).pathname)).toMatch(/^\/(?![/\\])/);
}

describe('return_to, whatever it is made of', () => {
  it('is either refused as invalid_request, or becomes a single-slash path on this site that a browser reads back unchanged', () => {
    fc.assert(
      fc.property(returnTo, (value) => {
        let path: string;
        try {
          path = parseReturnTo(value, PUBLIC_ORIGIN);
        } catch (err) {
          expect(isApiError(err) ? err.toBody() : err).toEqual({
            error: 'invalid_request',
            message: 'return_to must be a path on this site, such as /app',
            details: [{ field: 'return_to', problem: expect.any(String) }],
          });
          return;
        }
        expectSameSitePath(path);
        const reread = resolvedByBrowser(path);
        expect(`${reread.pathname}${reread.search}${reread.hash}`).toBe(path);
        // Accepted means meant: the path is what the value itself resolves to.
        const meant = new URL(value === '' ? '/' : value, PUBLIC_ORIGIN);
        expect(`${meant.pathname}${meant.search}${meant.hash}`).toBe(path);
      }),
      replayable(
        3000,
        ATTACKS.map((a): [string] => [a]),
      ),
    );
  });

  it('is accepted as it normalises when it is an ordinary path, query and fragment', () => {
    const segment = fc.stringMatching(/^[\w~-][\w.~-]{0,11}$/);
    const ordinary = fc
      .tuple(fc.array(segment, { maxLength: 5 }), fc.option(fc.webQueryParameters()), fc.option(fc.webFragments()))
      .map(
        ([segments, query, fragment]) =>
          `/${segments.join('/')}${query === null ? '' : `?${query}`}${fragment === null ? '' : `#${fragment}`}`,
      );
    fc.assert(
      fc.property(ordinary, (value) => {
        const meant = new URL(value, PUBLIC_ORIGIN);
        expect(parseReturnTo(value, PUBLIC_ORIGIN)).toBe(`${meant.pathname}${meant.search}${meant.hash}`);
      }),
      replayable(1000),
    );
  });
});

describe('return_to through a real login, provider page and callback', () => {
  let idp: DevIdp;
  let server: Listening;
  beforeAll(async () => {
    idp = await startTestIdp();
    server = await listen(buildTestGateway({ idpUrl: idp.url, mode: 'session' }).app);
  });
  afterAll(async () => {
    await server.close();
    await idp.close();
  });

  it('never ends in a Location off this site: the login is refused with 400 first, or the callback lands on a path here', async () => {
    const to = atGateway(server.url);
    let completed = 0;
    const accepted = [
      '/app/./x/%2e%2e/page?next=//evil.example#//evil.example',
      '/@evil.example',
      '/%09/evil.example',
      '/\uff0e\uff0e/\uff0fevil.example',
    ];
    await fc.assert(
      fc.asyncProperty(returnTo, async (value) => {
        const browser = new Browser();
        const start = await browser.go(to(`/api/auth/login?return_to=${encodeURIComponent(value)}`));
        if (start.status === 400) {
          expect(await start.json()).toEqual({
            error: 'invalid_request',
            message: 'return_to must be a path on this site, such as /app',
            details: [{ field: 'return_to', problem: expect.any(String) }],
          });
          return;
        }
        expect(start.status).toBe(302);
        const callback = await signInFrom(browser, start, idp.url);
        const landed = await browser.go(to(callback));
        expect(landed.status).toBe(302);
        expectSameSitePath(landed.headers.get('location') ?? '');
        completed += 1;
      }),
      replayable(
        30,
        [...ATTACKS, ...accepted].map((a): [string] => [a]),
      ),
    );
    expect(completed).toBeGreaterThanOrEqual(accepted.length);
  });
});
