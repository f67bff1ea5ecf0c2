// Whether it pays to run helmet once at startup and replay its headers in one call per response, instead of running
// helmet's middleware on every response as securityHeaders (src/http/middleware/security-headers.ts) does. It did
// not: the replay was removed, and lives on here only to be measured. Both sides end with the same headers on a fresh
// ServerResponse. Rounds alternate; figures are the bench process's CPU time.
//
//   npx tsx bench/micro/security-headers.ts [--rounds 15] [--per-round 20000]
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { API_HEADERS, PAGE_HEADERS, securityHeaders } from '../../src/http/middleware/security-headers.js';
import { report, sideBySide } from './side-by-side.js';

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const socket = new Socket();

/** Runs `handler` on `times` fresh responses, as many requests would. */
async function respond(handler: RequestHandler, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const req = new IncomingMessage(socket);
    const res = new ServerResponse(req);
    let passed = false;
    handler(req as Request, res as unknown as Response, (() => (passed = true)) as NextFunction);
    if (!passed || res.getHeader('content-security-policy') === undefined) throw new Error('the headers were not set');
  }
}

function headersOf(handler: RequestHandler): [string, unknown][] {
  const res = new ServerResponse(new IncomingMessage(socket));
  res.setHeader('X-Powered-By', 'Express');
  handler({} as Request, res as unknown as Response, (() => undefined) as NextFunction);
  return res.getHeaderNames().map((name) => [name, res.getHeader(name)]);
}

/** The removed replay: helmet run once on a stand-in response at startup, its headers then set in one call. */
function replayed(options: HelmetOptions): RequestHandler {
  const headers = new Map<string, string | string[]>();
  const probe = {
    setHeader: (name: string, value: string | string[]) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  };
  helmet(options)({} as IncomingMessage, probe as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  headers.set('Vary', 'Origin');
  return (_req, res, next) => {
    res.setHeaders(headers);
    res.removeHeader('X-Powered-By');
    next();
  };
}

async function main(): Promise<void> {
  const rounds = argument('--rounds', 15);
  const perRound = argument('--per-round', 20_000);
  console.log(`Node ${process.version}, ${rounds} rounds of ${perRound} responses`);
  for (const [name, options] of [
    ['API', API_HEADERS],
    ['pages', PAGE_HEADERS],
  ] as const) {
    const perResponse = securityHeaders(options);
    const once = replayed(options);
    if (JSON.stringify(headersOf(perResponse)) !== JSON.stringify(headersOf(once)))
      throw new Error(`${name}: the two ways set different headers`);
    const results = await sideBySide(
      [
        { name: `${name}: helmet on every response`, run: (times) => respond(perResponse, times) },
        { name: `${name}: worked out once, replayed`, run: (times) => respond(once, times) },
        {
          name: `${name}: a fresh response, one header`,
          run: (times) => respond((_req, res, next) => (res.setHeader('content-security-policy', 'x'), next()), times),
        },
      ],
      { rounds, perRound },
    );
    console.log(report(results.slice(0, 2)));
    console.log(report(results.slice(2)));
  }
}

await main();
