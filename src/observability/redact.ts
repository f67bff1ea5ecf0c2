const SECRET_KEY =
  /pass|pwd|secret|token|authori[sz]ation|cookie|credential|assertion|code_verifier|api[-_]?key|private[-_]?key|session[-_]?id|jwt|bearer|^code$|^sid$/i;
// A JSON header (`{"` is `eyJ`) and two to four more base64url parts, any of them possibly empty: a JWS, an unsigned
// JWT, an empty claim set (`e30`), a JWE (`dir` leaves its second part empty), whoever's it is. Opaque refresh tokens
// are caught by their key names.
const JWT_SHAPED = /eyJ[\w-]+(?:\.[\w-]*){2,4}/g;
const REDACTED = '[REDACTED]';
const MAX_DEPTH = 6;

/**
 * Returns a copy of a log record in which nothing secret survives: values under secret-sounding keys are
 * replaced, and JWT-shaped strings are masked wherever they appear (in messages, causes and URLs too).
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return value.replace(JWT_SHAPED, REDACTED);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  if (value instanceof Error) {
    return redact({ name: value.name, message: value.message, code: (value as { code?: unknown }).code }, depth, seen);
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && inner !== undefined && inner !== null && typeof inner !== 'boolean'
        ? REDACTED
        : redact(inner, depth + 1, seen);
  }
  return out;
}
