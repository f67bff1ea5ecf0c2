/*
 * The body of `POST /admin/realms/{realm}/users` read as Keycloak's Jackson reads a UserRepresentation: fields in
 * order, scalars coerced to text where Jackson coerces them, anything after the object ignored. Its three refusals,
 * as Keycloak 26.7.3 answers them (400 each): broken JSON `invalid_request`, a field of the wrong shape
 * `unknown_error` ("Cannot parse the JSON"), and a field UserRepresentation does not have, named with Jackson's
 * line and column (columns in UTF-8 bytes, after the value's first token).
 */

export interface UserRepresentation {
  readonly username?: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly enabled?: boolean;
  readonly emailVerified?: boolean;
  readonly requiredActions?: readonly string[];
  readonly credentials?: readonly { type?: string; value?: string; temporary?: boolean }[];
}

export type ParsedUser =
  | { readonly ok: true; readonly user: UserRepresentation }
  | { readonly ok: false; readonly json: Record<string, string> };

const BROKEN = { ok: false, json: { error: 'invalid_request', error_description: 'Cannot parse the JSON' } } as const;
const MISMATCH = { ok: false, json: { error: 'unknown_error', error_description: 'Cannot parse the JSON' } } as const;

type Kind = 'text' | 'flag' | 'number' | 'texts' | 'objects' | 'map';
// Every property of Keycloak 26.7.3's UserRepresentation (and AbstractUserRepresentation), by the shape it takes.
const FIELDS: Record<string, Kind> = {
  id: 'text',
  username: 'text',
  firstName: 'text',
  lastName: 'text',
  email: 'text',
  self: 'text',
  origin: 'text',
  federationLink: 'text',
  serviceAccountClientId: 'text',
  emailVerified: 'flag',
  enabled: 'flag',
  totp: 'flag',
  createdTimestamp: 'number',
  notBefore: 'number',
  disableableCredentialTypes: 'texts',
  requiredActions: 'texts',
  realmRoles: 'texts',
  groups: 'texts',
  credentials: 'objects',
  federatedIdentities: 'objects',
  clientConsents: 'objects',
  socialLinks: 'objects',
  verifiableCredentials: 'objects',
  issuedVerifiableCredentials: 'objects',
  attributes: 'map',
  clientRoles: 'map',
  applicationRoles: 'map',
  access: 'map',
  userProfileMetadata: 'map',
};

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));

function flag(v: unknown): boolean | undefined | 'bad' {
  if (v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  if (v === '') return undefined;
  return 'bad';
}

function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'text':
      return isScalar(v);
    case 'flag':
      return flag(v) !== 'bad';
    case 'number':
      return v === null || typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v));
    case 'texts':
      return v === null || (Array.isArray(v) && v.every(isScalar));
    case 'objects':
      return (
        v === null || (Array.isArray(v) && v.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e)))
      );
    case 'map':
      return v === null || (Array.isArray(v) ? v.length === 0 : typeof v === 'object');
  }
}

/** Where a value ends (the index after it), or -1 when the text ends first or it is no JSON value. */
function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') {
    for (let j = i + 1; j < s.length; j++) {
      if (s[j] === '\\') j++;
      else if (s[j] === '"') return j + 1;
    }
    return -1;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s[j];
      if (d === '"') {
        j = skipValue(s, j) - 1;
        if (j < 0) return -1;
      } else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  const match = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(s.slice(i));
  return match ? i + match[0].length : -1;
}

const skipSpace = (s: string, i: number) => {
  while (i < s.length && /\s/.test(s[i] ?? '')) i++;
  return i;
};

/** Jackson's location of the token a value starts with: after `"`, `{` or `[`, else after the whole scalar. */
function location(s: string, start: number, end: number): string {
  const at = s[start] === '"' || s[start] === '{' || s[start] === '[' ? start + 1 : end;
  const before = s.slice(0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  return `line ${line} column ${Buffer.byteLength(before.slice(lineStart), 'utf8') + 1}`;
}

export function parseUserJson(body: string): ParsedUser {
  let i = skipSpace(body, 0);
  if (body[i] !== '{') {
    const end = i < body.length ? skipValue(body, i) : -1;
    return end < 0 ? BROKEN : MISMATCH;
  }
  const fields: Record<string, unknown> = {};
  i = skipSpace(body, i + 1);
  if (body[i] === '}') return { ok: true, user: {} };
  for (;;) {
    if (body[i] !== '"') return BROKEN;
    const keyEnd = skipValue(body, i);
    if (keyEnd < 0) return BROKEN;
    const name = JSON.parse(body.slice(i, keyEnd)) as string;
    i = skipSpace(body, keyEnd);
    if (body[i] !== ':') return BROKEN;
    const start = skipSpace(body, i + 1);
    const end = skipValue(body, start);
    if (end < 0) return BROKEN;
    const kind = FIELDS[name];
    if (kind === undefined) {
      const where = location(body, start, end);
      const message = `Invalid json representation for UserRepresentation. Unrecognized field "${name}" at ${where}.`;
      return { ok: false, json: { error: message } };
    }
    let value: unknown;
    try {
      value = JSON.parse(body.slice(start, end));
    } catch {
      return BROKEN;
    }
    if (!fits(kind, value)) return MISMATCH;
    fields[name] = value;
    i = skipSpace(body, end);
    if (body[i] === '}') break;
    if (body[i] !== ',') return BROKEN;
    i = skipSpace(body, i + 1);
  }
  return toUser(fields);
}

function toUser(f: Record<string, unknown>): ParsedUser {
  const credentials = (f.credentials as Record<string, unknown>[] | null | undefined) ?? undefined;
  if (
    credentials?.some(
      (c) => !isScalar(c.value ?? null) || !isScalar(c.type ?? null) || flag(c.temporary ?? null) === 'bad',
    )
  )
    return MISMATCH;
  const attributes = f.attributes && !Array.isArray(f.attributes) ? (f.attributes as Record<string, unknown>) : {};
  if (Object.values(attributes).some((v) => v !== null && !(Array.isArray(v) && v.every(isScalar)))) return MISMATCH;
  const first = (name: string) => {
    const list = attributes[name];
    return Array.isArray(list) ? text(list[0]) : undefined;
  };
  const enabled = flag(f.enabled ?? null);
  const emailVerified = flag(f.emailVerified ?? null);
  return {
    ok: true,
    user: {
      username: text(f.username) ?? first('username'),
      email: text(f.email) ?? first('email'),
      firstName: text(f.firstName) ?? first('firstName'),
      lastName: text(f.lastName) ?? first('lastName'),
      ...(enabled === undefined || enabled === 'bad' ? {} : { enabled }),
      ...(emailVerified === undefined || emailVerified === 'bad' ? {} : { emailVerified }),
      ...(Array.isArray(f.requiredActions) ? { requiredActions: (f.requiredActions as unknown[]).map(String) } : {}),
      ...(credentials
        ? {
            credentials: credentials.map((c) => {
              const temporary = flag(c.temporary ?? null);
              return {
                ...(c.type === undefined || c.type === null ? {} : { type: String(c.type) }),
                ...(c.value === undefined || c.value === null ? {} : { value: String(c.value) }),
                ...(temporary === true ? { temporary } : {}),
              };
            }),
          }
        : {}),
    },
  };
}
