import { newUser } from '../dev-idp/admin-helpers.js';
import type { Case } from './differential-cases.js';
import { RealmClient } from './differential-client.js';
import { observe, type Observation, type Reply } from './differential-observe.js';

/*
 * Registration's half of the differential suite: the Admin API calls that create, read and delete a user, sent raw to
 * both servers. Each case creates users of its own (the realm copy lives for one run), so the cases do not depend on
 * each other's order. The demo realm's password policy is `length(8) and notUsername`.
 */

const HEADERS = ['content-type', 'cache-control', 'location'];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** An answer, with the new user's id in a Location header described by its kind. */
function seen(c: RealmClient, reply: Reply, prefix = ''): Observation {
  const out = observe(c.target, reply, HEADERS, prefix);
  const key = `${prefix}location`;
  if (out[key] !== undefined) out[key] = (out[key] ?? '').replace(UUID, '<uuid>');
  return out;
}

const steps = (...parts: Observation[]): Observation => Object.assign({}, ...parts) as Observation;

async function managerToken(c: RealmClient, clientId = 'authgate', secret = c.secret): Promise<string> {
  const reply = await c.token({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
  return RealmClient.tokens(reply).access_token;
}

const users = (c: RealmClient) => `/admin/realms/${c.target.realm}/users`;

async function create(c: RealmClient, body: unknown, options: { token?: string; contentType?: string } = {}) {
  const token = options.token ?? (await managerToken(c));
  return c.sendAt('POST', users(c), {
    body,
    headers: { authorization: `Bearer ${token}` },
    ...(options.contentType ? { contentType: options.contentType } : {}),
  });
}

/** A create that is refused, then the search that shows whether a user was left behind. */
function refused(name: string, body: unknown, contentType?: string): Case {
  return {
    name: `admin create user: ${name}`,
    run: async (c) => {
      const token = await managerToken(c);
      const reply = await create(c, body, { token, ...(contentType ? { contentType } : {}) });
      const username =
        typeof body === 'object' && body !== null ? (body as { username?: unknown }).username : undefined;
      if (typeof username !== 'string' || username === '') return seen(c, reply);
      const search = await c.sendAt('GET', `${users(c)}?username=${encodeURIComponent(username)}&exact=true`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return steps(seen(c, reply), { 'left behind': String(search.text !== '[]') });
    },
  };
}

export const REGISTRATION_CASES: readonly Case[] = [
  {
    name: 'admin create user: created, read by id, logged in, deleted',
    run: async (c) => {
      const token = await managerToken(c);
      const auth = { authorization: `Bearer ${token}` };
      const made = await create(c, newUser('reg-dora', 'dora-pass1'), { token });
      const id = (made.headers.get('location') ?? '').split('/').pop() ?? '';
      const read = await c.sendAt('GET', `${users(c)}/${id}`, { headers: auth });
      const login = await c.login('reg-dora', 'dora-pass1');
      const gone = await c.sendAt('DELETE', `${users(c)}/${id}`, { headers: auth });
      const after = await c.sendAt('GET', `${users(c)}/${id}`, { headers: auth });
      const again = await c.sendAt('DELETE', `${users(c)}/${id}`, { headers: auth });
      return steps(
        seen(c, made, 'create.'),
        seen(c, read, 'read.'),
        seen(c, login, 'login.'),
        seen(c, gone, 'delete.'),
        seen(c, after, 'read after delete.'),
        seen(c, again, 'delete again.'),
      );
    },
  },
  refused('a taken username', newUser('alice', 'other-pass1', { email: 'reg-alice@example.test' })),
  refused('a taken username in upper case', newUser('ALICE', 'other-pass1', { email: 'reg-alice2@example.test' })),
  refused('a taken email', newUser('reg-erin', 'other-pass1', { email: 'Alice@Example.test' })),
  refused('a taken username and email', newUser('alice', 'other-pass1', { email: 'alice@example.test' })),
  refused('a password too short', newUser('reg-frank', 'short')),
  refused('the username as password', newUser('reg-frank2', 'REG-FRANK2')),
  refused('a malformed email', newUser('reg-gina', 'gina-pass1', { email: 'not-an-email' })),
  refused('a username with spaces and <>', newUser('reg gina<>', 'gina-pass1', { email: 'reg-gina2@example.test' })),
  refused('a username too long', newUser('u'.repeat(256), 'gina-pass1', { email: 'reg-gina3@example.test' })),
  refused('several bad fields', newUser('t m', 'tom-pass1', { email: 'nope', firstName: '<x>', lastName: '<y>' })),
  refused('a malformed email and a short password', newUser('reg-hank', 'x', { email: 'nope' })),
  refused('no username', { email: 'reg-ivan@example.test', enabled: true }),
  refused('an unknown field', newUser('reg-jack', 'jack-pass1', { shoeSize: 42 })),
  refused('broken JSON', '{"username":'),
  refused('a flag that is no flag', { username: 'reg-kim', enabled: 'yes' }),
  refused('a body typed as text', JSON.stringify(newUser('reg-lena', 'lena-pass1')), 'text/plain'),
  ...[
    ['a required action', 'reg-mona', { requiredActions: ['VERIFY_EMAIL'] }],
    ['no email or names', 'reg-nina', { email: undefined, firstName: undefined, lastName: undefined }],
    ['a temporary password', 'reg-otto', { credentials: [{ type: 'password', value: 'otto-pass1', temporary: true }] }],
  ].map(([what, username, extra]): Case => ({
    name: `admin create user: ${String(what)}, then a login`,
    run: async (c) => {
      const password = `${String(username).slice(4)}-pass1`;
      const made = await create(c, newUser(String(username), password, extra as Record<string, unknown>));
      return steps(seen(c, made, 'create.'), seen(c, await c.login(String(username), password), 'login.'));
    },
  })),
  {
    name: 'admin create user: a client without manage-users, and no token',
    run: async (c) => {
      const bot = await managerToken(c, 'reporting-bot', 'reporting-bot-dev-secret');
      const forbidden = await create(c, newUser('reg-pia', 'pia-pass1'), { token: bot });
      const anonymous = await c.sendAt('POST', users(c), { body: newUser('reg-pia', 'pia-pass1') });
      const unknown = '00000000-0000-0000-0000-000000000000';
      const peek = await c.sendAt('GET', `${users(c)}/${unknown}`, { headers: { authorization: `Bearer ${bot}` } });
      return steps(
        seen(c, forbidden, 'bot.'),
        seen(c, anonymous, 'anonymous.'),
        seen(c, peek, 'bot reads an unknown id.'),
      );
    },
  },
  {
    name: 'admin read user: an unknown id',
    run: async (c) => {
      const auth = { authorization: `Bearer ${await managerToken(c)}` };
      return steps(
        seen(c, await c.sendAt('GET', `${users(c)}/00000000-0000-0000-0000-000000000000`, { headers: auth }), 'get.'),
        seen(c, await c.sendAt('DELETE', `${users(c)}/not-a-uuid`, { headers: auth }), 'delete.'),
      );
    },
  },
];
