import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { escapeHtml } from './configuration.js';
import type { Directory } from './directory.js';

/*
 * The provider's sign-in page for the code flow: oidc-provider sends the browser to /interaction/<uid>, this page asks
 * for a username (or email) and password and tells oidc-provider who logged in. There is no consent step (see
 * loadExistingGrant in configuration.ts). Texts are this provider's own.
 */

export const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)$/;

const WRONG = 'Wrong username or password.';
const DISABLED = 'This account has been blocked.';

function page(action: string, message?: string, username = ''): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body>
${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label>Username or email <input name="username" autocomplete="username" value="${escapeHtml(username)}" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form></body></html>`;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) break;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Answers the request when it is for the sign-in page (and says so), else leaves it to oidc-provider. */
export function signInPage(directory: Directory, provider: Provider) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const match = INTERACTION_PATH.exec(path);
    if (!match || (req.method !== 'GET' && req.method !== 'POST')) return false;
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      send(res, 400, '<!DOCTYPE html><title>Error</title><p>This sign-in has expired. Start again.</p>');
      return true;
    }
    if (details.uid !== match[1]) {
      send(res, 400, '<!DOCTYPE html><title>Error</title><p>This sign-in belongs to another request.</p>');
      return true;
    }
    // The form posts back to where the browser is, the mount path included.
    const action = ((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? path).split('?')[0] ?? path;
    if (req.method === 'GET') {
      send(res, 200, page(action));
      return true;
    }
    const form = await readForm(req);
    const username = form.get('username') ?? '';
    const outcome = directory.check(username, form.get('password') ?? '');
    if (typeof outcome === 'string') {
      send(res, 200, page(action, outcome === 'disabled' ? DISABLED : WRONG, username));
      return true;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: outcome.id } },
      { mergeWithLastSubmission: false },
    );
    return true;
  };
}
