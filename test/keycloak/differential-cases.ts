import { RealmClient } from './differential-client.js';
import { flatten, observe, parseJson, type Observation, type Reply } from './differential-observe.js';
import { REGISTRATION_CASES } from './differential-registration-cases.js';

/*
 * The requests the differential suite sends to both servers, raw. Each case runs against one side at a time and
 * answers what it saw; a case of several steps names them (`replay.status`). Users come from the demo realm file:
 * alice fails a password once only, so Keycloak's brute-force detection never locks her.
 */

export interface Case {
  readonly name: string;
  run(c: RealmClient): Promise<Observation>;
}

const OIDC = '/protocol/openid-connect';
const TOKEN_HEADERS = ['content-type', 'cache-control', 'pragma'];
const USERINFO_HEADERS = ['content-type', 'www-authenticate'];

const seen = (c: RealmClient, reply: Reply, headers?: readonly string[], prefix = '') =>
  observe(c.target, reply, headers, prefix);
const steps = (...parts: Observation[]): Observation => Object.assign({}, ...parts) as Observation;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const client = (c: RealmClient) => ({ client_id: 'authgate', client_secret: c.secret });

async function tokensOf(c: RealmClient, extra: Record<string, string> = {}) {
  return RealmClient.tokens(await c.login('alice', 'alice-password', extra));
}

async function serviceToken(c: RealmClient): Promise<string> {
  return RealmClient.tokens(await c.token({ grant_type: 'client_credentials', ...client(c) })).access_token;
}

// What the gateway reads of discovery: the issuer, the endpoints, and what they support.
const DISCOVERY_ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'end_session_endpoint',
  'revocation_endpoint',
  'introspection_endpoint',
];
const DISCOVERY_LISTS = [
  'grant_types_supported',
  'response_types_supported',
  'code_challenge_methods_supported',
  'token_endpoint_auth_methods_supported',
  'id_token_signing_alg_values_supported',
];

async function discovery(c: RealmClient): Promise<Observation> {
  const reply = await c.get('/.well-known/openid-configuration');
  const body = (parseJson(reply) ?? {}) as Record<string, unknown>;
  const out = seen(c, { ...reply, text: '' });
  delete out.body;
  const endpoints = Object.fromEntries(
    ['issuer', ...DISCOVERY_ENDPOINTS].map((name) => [name, body[name] ?? 'absent']),
  );
  flatten(c.target, endpoints, 'body', out);
  // Each list on one line: what one server supports and the other does not reads as one difference.
  for (const name of DISCOVERY_LISTS)
    out[`body.${name}`] = Array.isArray(body[name])
      ? [...(body[name] as unknown[])].map(String).sort().join(', ')
      : 'absent';
  return out;
}

async function keySet(c: RealmClient): Promise<Observation> {
  const reply = await c.get(`${OIDC}/certs`);
  const { keys = [] } = (parseJson(reply) ?? {}) as { keys?: Record<string, unknown>[] };
  const out = seen(c, { ...reply, text: '' });
  delete out.body;
  // One line per key: which keys there are, and the fields each one carries.
  for (const key of keys)
    out[`keys[use=${String(key.use)} alg=${String(key.alg)} kty=${String(key.kty)}]`] = Object.keys(key)
      .sort()
      .join(' ');
  return out;
}

export const CASES: readonly Case[] = [
  { name: 'discovery', run: discovery },
  { name: 'the key set', run: keySet },
  {
    name: 'an unknown realm',
    run: async (c) => seen(c, await c.getAt(`/realms/no-${c.target.realm}/.well-known/openid-configuration`)),
  },

  // The password grant.
  {
    name: 'password grant: the right password',
    run: async (c) => seen(c, await c.login('alice', 'alice-password'), TOKEN_HEADERS),
  },
  {
    name: 'password grant: through the email',
    run: async (c) => seen(c, await c.login('Alice@Example.test', 'alice-password')),
  },
  {
    name: 'password grant: without openid',
    run: async (c) => seen(c, await c.login('admin', 'admin-password', { scope: 'profile' }), TOKEN_HEADERS),
  },
  {
    name: 'password grant: an empty scope',
    run: async (c) => seen(c, await c.login('alice', 'alice-password', { scope: '' })),
  },
  {
    name: 'password grant: a doubled space in the scope',
    run: async (c) => seen(c, await c.login('alice', 'alice-password', { scope: 'openid  profile' })),
  },
  {
    name: 'password grant: a trailing space in the scope',
    run: async (c) => seen(c, await c.login('alice', 'alice-password', { scope: 'openid ' })),
  },
  {
    name: 'password grant: the optional scopes',
    run: async (c) =>
      seen(
        c,
        await c.login('admin', 'admin-password', { scope: 'openid address phone microprofile-jwt organization' }),
      ),
  },
  {
    name: 'password grant: offline_access',
    run: async (c) => seen(c, await c.login('admin', 'admin-password', { scope: 'openid offline_access' })),
  },
  {
    name: 'password grant: a wrong password',
    run: async (c) => seen(c, await c.login('alice', 'not-her-password'), TOKEN_HEADERS),
  },
  { name: 'password grant: an unknown user', run: async (c) => seen(c, await c.login('nobody-here', 'whatever')) },
  { name: 'password grant: disabled bob', run: async (c) => seen(c, await c.login('bob', 'bob-password')) },
  {
    name: 'password grant: carol with a required action',
    run: async (c) => seen(c, await c.login('carol', 'carol-password')),
  },
  {
    name: 'password grant: no username',
    run: async (c) => seen(c, await c.token({ grant_type: 'password', ...client(c), password: 'x' })),
  },
  {
    name: 'password grant: a service account',
    run: async (c) => seen(c, await c.login('service-account-authgate', 'x')),
  },
  {
    name: 'password grant: an invalid scope',
    run: async (c) => seen(c, await c.login('alice', 'alice-password', { scope: 'openid no-such-scope' })),
  },
  {
    name: 'password grant: a wrong client secret',
    run: async (c) => seen(c, await c.login('alice', 'alice-password', { client_secret: 'wrong' }), TOKEN_HEADERS),
  },
  {
    name: 'password grant: an unknown client',
    run: async (c) => seen(c, await c.login('alice', 'alice-password', { client_id: 'no-such-client' })),
  },
  {
    name: 'password grant: no client at all',
    run: async (c) => seen(c, await c.token({ grant_type: 'password', username: 'alice', password: 'alice-password' })),
  },

  // The token endpoint before any grant.
  { name: 'token: no grant_type', run: async (c) => seen(c, await c.token({ ...client(c) }), TOKEN_HEADERS) },
  {
    name: 'token: an unsupported grant_type',
    run: async (c) => seen(c, await c.token({ grant_type: 'urn:example:nope', ...client(c) })),
  },
  {
    name: 'token: a duplicated parameter',
    run: async (c) =>
      seen(
        c,
        await c.post(
          `${OIDC}/token`,
          `grant_type=password&client_id=authgate&client_secret=${c.secret}&username=alice&username=alice&password=alice-password`,
          { 'content-type': 'application/x-www-form-urlencoded' },
        ),
      ),
  },
  {
    name: 'token: a JSON body',
    run: async (c) =>
      seen(c, await c.post(`${OIDC}/token`, '{"grant_type":"password"}', { 'content-type': 'application/json' })),
  },

  // The refresh grant.
  { name: 'refresh: ok', run: async (c) => seen(c, await c.refresh((await tokensOf(c)).refresh_token), TOKEN_HEADERS) },
  { name: 'refresh: garbage', run: async (c) => seen(c, await c.refresh('garbage'), TOKEN_HEADERS) },
  { name: 'refresh: an access token', run: async (c) => seen(c, await c.refresh((await tokensOf(c)).access_token)) },
  {
    name: 'refresh: a replayed token (revokeRefreshToken)',
    run: async (c) => {
      const first = (await tokensOf(c)).refresh_token;
      const next = RealmClient.tokens(await c.refresh(first)).refresh_token;
      return steps(
        seen(c, await c.refresh(first), undefined, 'replay.'),
        seen(c, await c.refresh(next), undefined, 'newest after the replay.'),
      );
    },
  },
  {
    name: 'refresh: after logout',
    run: async (c) => {
      const { refresh_token } = await tokensOf(c);
      return steps(
        seen(c, await c.logout(refresh_token), undefined, 'logout.'),
        seen(c, await c.refresh(refresh_token), undefined, 'refresh.'),
      );
    },
  },
  {
    name: 'refresh: an offline token',
    run: async (c) => seen(c, await c.refresh((await tokensOf(c, { scope: 'openid offline_access' })).refresh_token)),
  },

  // Back-channel logout.
  {
    name: 'logout: twice',
    run: async (c) => {
      const { refresh_token } = await tokensOf(c);
      return steps(
        seen(c, await c.logout(refresh_token), undefined, 'first.'),
        seen(c, await c.logout(refresh_token), undefined, 'second.'),
      );
    },
  },
  { name: 'logout: garbage', run: async (c) => seen(c, await c.logout('garbage')) },
  { name: 'logout: no refresh token', run: async (c) => seen(c, await c.post(`${OIDC}/logout`, client(c))) },
  {
    name: 'logout: a JSON body',
    run: async (c) =>
      seen(c, await c.post(`${OIDC}/logout`, '{"refresh_token":"x"}', { 'content-type': 'application/json' })),
  },
  {
    name: 'logout: a wrong client secret',
    run: async (c) =>
      seen(
        c,
        await c.post(`${OIDC}/logout`, {
          client_id: 'authgate',
          client_secret: 'wrong',
          refresh_token: (await tokensOf(c)).refresh_token,
        }),
      ),
  },

  // Userinfo.
  {
    name: 'userinfo: ok',
    run: async (c) =>
      seen(c, await c.get(`${OIDC}/userinfo`, bearer((await tokensOf(c)).access_token)), USERINFO_HEADERS),
  },
  {
    name: 'userinfo: POST with the token in the form',
    run: async (c) =>
      seen(c, await c.post(`${OIDC}/userinfo`, { access_token: (await tokensOf(c)).access_token }), USERINFO_HEADERS),
  },
  { name: 'userinfo: no token', run: async (c) => seen(c, await c.get(`${OIDC}/userinfo`), USERINFO_HEADERS) },
  {
    name: 'userinfo: a garbage token',
    run: async (c) => seen(c, await c.get(`${OIDC}/userinfo`, bearer('garbage')), USERINFO_HEADERS),
  },
  {
    name: 'userinfo: a token without openid',
    run: async (c) =>
      seen(
        c,
        await c.get(`${OIDC}/userinfo`, bearer((await tokensOf(c, { scope: 'profile' })).access_token)),
        USERINFO_HEADERS,
      ),
  },
  {
    name: 'userinfo: after logout',
    run: async (c) => {
      const tokens = await tokensOf(c);
      await c.logout(tokens.refresh_token);
      return seen(c, await c.get(`${OIDC}/userinfo`, bearer(tokens.access_token)), USERINFO_HEADERS);
    },
  },

  // Introspection.
  {
    name: 'introspection: an access token',
    run: async (c) =>
      seen(c, await c.post(`${OIDC}/token/introspect`, { ...client(c), token: (await tokensOf(c)).access_token })),
  },
  {
    name: 'introspection: a refresh token',
    run: async (c) =>
      seen(
        c,
        await c.post(`${OIDC}/token/introspect`, {
          ...client(c),
          token: (await tokensOf(c)).refresh_token,
          token_type_hint: 'refresh_token',
        }),
      ),
  },
  {
    name: 'introspection: a refresh token with microprofile-jwt',
    run: async (c) =>
      seen(
        c,
        await c.post(`${OIDC}/token/introspect`, {
          ...client(c),
          token: (await tokensOf(c, { scope: 'openid microprofile-jwt' })).refresh_token,
          token_type_hint: 'refresh_token',
        }),
      ),
  },
  {
    name: 'introspection: garbage',
    run: async (c) => seen(c, await c.post(`${OIDC}/token/introspect`, { ...client(c), token: 'garbage' })),
  },
  {
    name: 'introspection: after logout',
    run: async (c) => {
      const tokens = await tokensOf(c);
      await c.logout(tokens.refresh_token);
      return seen(c, await c.post(`${OIDC}/token/introspect`, { ...client(c), token: tokens.access_token }));
    },
  },
  {
    name: 'introspection: a wrong client secret',
    run: async (c) =>
      seen(c, await c.post(`${OIDC}/token/introspect`, { client_id: 'authgate', client_secret: 'wrong', token: 'x' })),
  },
  {
    name: 'introspection: an unknown client',
    run: async (c) =>
      seen(
        c,
        await c.post(`${OIDC}/token/introspect`, { client_id: 'no-such-client', client_secret: 'x', token: 'x' }),
      ),
  },
  { name: 'introspection: no token', run: async (c) => seen(c, await c.post(`${OIDC}/token/introspect`, client(c))) },

  // Revocation.
  {
    name: 'revocation: a refresh token',
    run: async (c) => {
      const { refresh_token } = await tokensOf(c);
      const revoked = await c.post(`${OIDC}/revoke`, {
        ...client(c),
        token: refresh_token,
        token_type_hint: 'refresh_token',
      });
      return steps(
        seen(c, revoked, undefined, 'revoke.'),
        seen(c, await c.refresh(refresh_token), undefined, 'refresh.'),
      );
    },
  },
  {
    name: 'revocation: an access token',
    run: async (c) => {
      const { access_token } = await tokensOf(c);
      const revoked = await c.post(`${OIDC}/revoke`, {
        ...client(c),
        token: access_token,
        token_type_hint: 'access_token',
      });
      return steps(
        seen(c, revoked, undefined, 'revoke.'),
        seen(c, await c.get(`${OIDC}/userinfo`, bearer(access_token)), USERINFO_HEADERS, 'userinfo.'),
      );
    },
  },
  {
    name: 'revocation: garbage',
    run: async (c) => seen(c, await c.post(`${OIDC}/revoke`, { ...client(c), token: 'garbage' })),
  },
  {
    name: 'revocation: a wrong client secret',
    run: async (c) =>
      seen(c, await c.post(`${OIDC}/revoke`, { client_id: 'authgate', client_secret: 'wrong', token: 'x' })),
  },
  { name: 'revocation: no token', run: async (c) => seen(c, await c.post(`${OIDC}/revoke`, client(c))) },

  // Client credentials.
  {
    name: 'client credentials: ok',
    run: async (c) => seen(c, await c.token({ grant_type: 'client_credentials', ...client(c) }), TOKEN_HEADERS),
  },
  {
    name: 'client credentials: with openid',
    run: async (c) => seen(c, await c.token({ grant_type: 'client_credentials', ...client(c), scope: 'openid' })),
  },
  {
    name: 'client credentials: a wrong secret',
    run: async (c) =>
      seen(c, await c.token({ grant_type: 'client_credentials', client_id: 'authgate', client_secret: 'wrong' })),
  },

  // The Admin API user search the gateway uses to find the account behind an email.
  ...[
    ['an email, exact', '?email=alice%40example.test&exact=true'],
    ['a username, exact, brief', '?username=alice&exact=true&briefRepresentation=true'],
    ['nobody', '?email=nobody%40example.test&exact=true'],
  ].map(([what, query]): Case => ({
    name: `admin user search: ${what}`,
    run: async (c) =>
      seen(c, await c.getAt(`/admin/realms/${c.target.realm}/users${query}`, bearer(await serviceToken(c))), [
        'content-type',
        'cache-control',
      ]),
  })),
  {
    name: 'admin user search: no token',
    run: async (c) => seen(c, await c.getAt(`/admin/realms/${c.target.realm}/users?email=alice%40example.test`)),
  },
  {
    name: 'admin user search: a user token',
    run: async (c) =>
      seen(
        c,
        await c.getAt(
          `/admin/realms/${c.target.realm}/users?email=alice%40example.test`,
          bearer((await tokensOf(c)).access_token),
        ),
      ),
  },

  // The authorization endpoint's refusals: browsers get an HTML page, so only the status is compared.
  ...[
    ['an unregistered redirect_uri', 'client_id=authgate&redirect_uri=http%3A%2F%2Fevil.test%2Fcb'],
    [
      'an unknown client',
      'client_id=no-such-client&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fapi%2Fauth%2Fcallback',
    ],
  ].map(([what, query]): Case => ({
    name: `authorization endpoint: ${what}`,
    run: async (c) => ({
      status: String((await c.get(`${OIDC}/auth?response_type=code&scope=openid&state=s&${query}`)).status),
    }),
  })),

  // Registration: the Admin API creating, reading and deleting users.
  ...REGISTRATION_CASES,
];
