import { bodyText } from '../support/http-bodies.js';
import type { Reply, Target } from './differential-observe.js';

/** Raw HTTP to one side of the comparison, below its realm; nothing is retried, followed or interpreted. */
export class RealmClient {
  readonly issuer: string;
  readonly secret = 'authgate-dev-secret';

  constructor(readonly target: Target) {
    this.issuer = `${target.url}/realms/${target.realm}`;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send(`${this.issuer}${path}`, { method: 'GET', headers });
  }

  /** A GET outside the realm's base, e.g. the Admin API. */
  async getAt(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send(`${this.target.url}${path}`, { method: 'GET', headers });
  }

  /** Any request outside the realm's base (the Admin API); a body object is sent as JSON. */
  async sendAt(
    method: string,
    path: string,
    options: { body?: unknown; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const body = bodyText(options.body);
    return this.send(`${this.target.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  }

  async post(
    path: string,
    body: Record<string, string> | string,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    return this.send(`${this.issuer}${path}`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : new URLSearchParams(body),
    });
  }

  token(form: Record<string, string>): Promise<Reply> {
    return this.post('/protocol/openid-connect/token', form);
  }

  /** A password grant of the demo client; `extra` adds or overrides form fields. */
  login(username: string, password: string, extra: Record<string, string> = {}): Promise<Reply> {
    return this.token({
      grant_type: 'password',
      client_id: 'authgate',
      client_secret: this.secret,
      username,
      password,
      scope: 'openid',
      ...extra,
    });
  }

  refresh(refreshToken: string): Promise<Reply> {
    return this.token({
      grant_type: 'refresh_token',
      client_id: 'authgate',
      client_secret: this.secret,
      refresh_token: refreshToken,
    });
  }

  logout(refreshToken: string): Promise<Reply> {
    return this.post('/protocol/openid-connect/logout', {
      client_id: 'authgate',
      client_secret: this.secret,
      refresh_token: refreshToken,
    });
  }

  /** The tokens of a successful answer; throws (failing the case loudly) when it was not one. */
  static tokens(reply: Reply): { access_token: string; refresh_token: string } {
    const body = JSON.parse(reply.text || '{}') as { access_token?: unknown; refresh_token?: unknown };
    if (reply.status !== 200 || typeof body.access_token !== 'string')
      throw new Error(`expected tokens, got ${reply.status} ${reply.text.slice(0, 200)}`);
    return {
      access_token: body.access_token,
      refresh_token: typeof body.refresh_token === 'string' ? body.refresh_token : '',
    };
  }

  private async send(url: string, init: RequestInit): Promise<Reply> {
    const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }
}
