import type { Request, Response } from 'express';
import { z } from 'zod';
import { SERVICE_TOKEN_DAYS } from '../../contract/service-tokens.js';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider, TokenSet } from '../../idp/identity-provider.js';
import type { User } from '../../contract/user.js';
import type { Lifetime } from '../../service-tokens/outcomes.js';
import { loginBudgetOf } from '../login-budget.js';
import { errorFor, hashForLog } from '../route-helpers.js';
import { parseBody } from '../validation.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const text = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !CONTROL_CHARACTERS.test(v), 'must not contain control characters');

// A form sends every value as text: `days=30`, `eternal=true`.
const days = z
  .union([z.number({ error: 'must be a whole number' }), z.string().regex(/^\d{1,9}$/, 'must be a whole number')])
  .transform(Number)
  .pipe(
    z
      .number()
      .int('must be a whole number')
      .min(SERVICE_TOKEN_DAYS.min, `must be at least ${SERVICE_TOKEN_DAYS.min}`)
      .max(SERVICE_TOKEN_DAYS.max, `must be at most ${SERVICE_TOKEN_DAYS.max}`),
  );
const eternal = z.union([z.literal(true), z.literal('true')], { error: 'must be true when present' });

export const createBody = z.object({
  username: text(255),
  password: z.string({ error: 'must be a string' }).max(1024, 'must be at most 1024 characters'),
  name: text(100).optional(),
  days: days.optional(),
  eternal: eternal.optional(),
});

export interface CreateInput {
  username: string;
  password: string;
  name: string;
  lifetime: Lifetime;
}

/** The create request's body: exactly one of `days` and `eternal`, a name, and the account's credentials. */
export function createInput(body: unknown): CreateInput {
  const parsed = parseBody(createBody, body, ['username', 'password'], 'credentials_required');
  const fields: { field: string; problem: string }[] = [];
  const name = parsed.name?.trim() ?? '';
  if (name === '') fields.push({ field: 'name', problem: 'is required' });
  if ((parsed.days === undefined) === (parsed.eternal === undefined))
    fields.push({ field: 'days', problem: 'give exactly one of days (1 to 3650) and eternal: true' });
  if (fields.length > 0) throw new ApiError('invalid_request', { message: 'Some fields are invalid', details: fields });
  const lifetime: Lifetime = parsed.days === undefined ? { eternal: true } : { days: parsed.days };
  return { username: parsed.username, password: parsed.password, name, lifetime };
}

/**
 * The password check of a create: a login with the offline_access scope, counted against the account's failure budget
 * as a login is (the login guards ran before). Its refresh token is the offline token the service token stands for.
 */
export async function offlineLogin(
  identityProvider: IdentityProvider,
  res: Response,
  input: CreateInput,
): Promise<{ tokens: TokenSet; user: User }> {
  res.locals.logFields = { usernameHash: hashForLog(input.username) };
  const attempt = await loginBudgetOf(res).begin(input.username);
  const login = await identityProvider
    .passwordLogin({ username: input.username, password: input.password, scope: 'offline_access' })
    .catch(attempt.failed);
  if (!login.ok) throw await attempt.refused(login.error);
  const { tokens, user } = login;
  await attempt.admitted(user, async () => {
    if (!tokens.refresh_token) return;
    const ended = await identityProvider.logout(tokens.refresh_token);
    if (!ended.ok) throw errorFor(ended.error);
  });
  return { tokens, user };
}

/** The credentials of `Authorization: Basic base64(client_id:secret)` (RFC 6749 2.3.1: each form-encoded). */
export function basicCredentials(req: Request): { clientId: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(req.get('authorization')?.trim() ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return undefined;
  }
}
