/*
 * A realm's password policy (`length(8) and digits(1) and notUsername`), checked as Keycloak checks a password set
 * through the Admin API: the first failing policy answers, with the admin theme's message key and English text
 * (theme/base/admin/messages/messages_en.properties). Lengths and counts are in UTF-16 code units, as Java's
 * String.length() and charAt() count them.
 */

export interface PolicyFailure {
  /** The message key, Keycloak's `error`. */
  readonly key: string;
  /** The formatted English message, Keycloak's `error_description`. */
  readonly text: string;
}

interface Rule {
  readonly id: string;
  readonly check: (password: string, user: PolicyUser) => PolicyFailure | undefined;
}

export interface PolicyUser {
  readonly username: string;
  readonly email: string | undefined;
}

export interface PasswordPolicy {
  readonly rules: readonly Rule[];
  /** Policy names this IdP does not know; Keycloak would refuse them, here they are ignored (and warned about). */
  readonly unknown: readonly string[];
}

const count = (password: string, test: (c: string) => boolean) => [...password.split('')].filter(test).length;
const fail = (key: string, text: string): PolicyFailure => ({ key, text });
const atLeast = (n: number, have: number, key: string, what: string) =>
  have < n ? fail(key, `Invalid password: must contain at least ${n} ${what}.`) : undefined;

// Java's Character.isUpperCase / isLowerCase / isLetterOrDigit on one UTF-16 unit (a lone surrogate is none of them).
const isUpper = (c: string) => /^\p{Lu}$/u.test(c);
const isLower = (c: string) => /^\p{Ll}$/u.test(c);
const isLetterOrDigit = (c: string) => /^[\p{L}\p{Nd}]$/u.test(c);
const isDigit = (c: string) => /^\p{Nd}$/u.test(c);

/** Each known policy with its default, as the *PasswordPolicyProviderFactory classes parse their configuration. */
const FACTORIES: Record<string, (param: string | undefined) => Rule['check'] | 'moot'> = {
  length: (p) => {
    const n = whole(p, 8);
    return (pw) =>
      pw.length < n ? fail('invalidPasswordMinLengthMessage', `Invalid password: minimum length ${n}.`) : undefined;
  },
  maxLength: (p) => {
    const n = whole(p, 64);
    return (pw) =>
      pw.length > n ? fail('invalidPasswordMaxLengthMessage', `Invalid password: maximum length ${n}.`) : undefined;
  },
  digits: (p) => {
    const n = whole(p, 1);
    return (pw) => atLeast(n, count(pw, isDigit), 'invalidPasswordMinDigitsMessage', 'numerical digits');
  },
  lowerCase: (p) => {
    const n = whole(p, 1);
    return (pw) => atLeast(n, count(pw, isLower), 'invalidPasswordMinLowerCaseCharsMessage', 'lower case characters');
  },
  upperCase: (p) => {
    const n = whole(p, 1);
    return (pw) => atLeast(n, count(pw, isUpper), 'invalidPasswordMinUpperCaseCharsMessage', 'upper case characters');
  },
  specialChars: (p) => {
    const n = whole(p, 1);
    const special = (c: string) => !isLetterOrDigit(c);
    return (pw) => atLeast(n, count(pw, special), 'invalidPasswordMinSpecialCharsMessage', 'special characters');
  },
  notUsername: () => (pw, user) =>
    pw.toLowerCase() === user.username.toLowerCase()
      ? fail('invalidPasswordNotUsernameMessage', 'Invalid password: must not be equal to the username.')
      : undefined,
  notEmail: () => (pw, user) =>
    user.email !== undefined && pw.toLowerCase() === user.email.toLowerCase()
      ? fail('invalidPasswordNotEmailMessage', 'Invalid password: must not be equal to the email.')
      : undefined,
  notContainsUsername: () => (pw, user) =>
    pw.toLowerCase().includes(user.username.toLowerCase())
      ? fail('invalidPasswordNotContainsUsernameMessage', 'Invalid password: Can not contain the username.')
      : undefined,
  regexPattern: (p) => {
    // Java's Pattern.matches: the whole password. JavaScript's dialect is close enough for a development IdP.
    const pattern = new RegExp(`^(?:${p ?? ''})$`, 'u');
    return (pw) =>
      pattern.test(pw)
        ? undefined
        : fail('invalidPasswordRegexPatternMessage', 'Invalid password: fails to match regex pattern(s).');
  },
  // Nothing to check for a password set on a new user, or not about the password's text.
  passwordHistory: () => 'moot',
  hashAlgorithm: () => 'moot',
  hashIterations: () => 'moot',
  forceExpiredPasswordChange: () => 'moot',
  passwordAge: () => 'moot',
  maxAuthAge: () => 'moot',
  recoveryCodesWarningThreshold: () => 'moot',
  passwordBlacklist: () => 'moot',
};

function whole(param: string | undefined, fallback: number): number {
  return param !== undefined && /^\d+$/.test(param.trim()) ? Number(param.trim()) : fallback;
}

/** Java's String.hashCode, spread as java.util.HashMap spreads it. */
function spreadHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h ^ (h >>> 16);
}

/**
 * Keycloak keeps the parsed policies in a java.util.HashMap (PasswordPolicy.Builder.build), so they are checked in its
 * iteration order, not the string's: by bucket, and in string order within a bucket. `length` (bucket 8) comes before
 * `digits` (10) whatever the string says.
 */
function hashMapOrder(ids: readonly string[]): string[] {
  let capacity = 16;
  while (ids.length > capacity * 0.75) capacity *= 2;
  return ids
    .map((id, index) => ({ id, index, bucket: spreadHash(id) & (capacity - 1) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((e) => e.id);
}

/** Parses Keycloak's policy string (`name(param) and name`); an empty or absent one checks nothing. */
export function parsePasswordPolicy(text: string | undefined): PasswordPolicy {
  const params = new Map<string, string | undefined>();
  const unknown: string[] = [];
  for (const part of (text ?? '').split(/\s+and\s+/i)) {
    const match = /^\s*([\w-]+)\s*(?:\((.*)\))?\s*$/s.exec(part);
    if (!match?.[1]) {
      if (part.trim() !== '') unknown.push(part.trim());
      continue;
    }
    if (FACTORIES[match[1]] === undefined) unknown.push(match[1]);
    else params.set(match[1], match[2]);
  }
  const rules: Rule[] = [];
  for (const id of hashMapOrder([...params.keys()])) {
    let check: Rule['check'] | 'moot' | undefined;
    try {
      check = FACTORIES[id]?.(params.get(id));
    } catch {
      unknown.push(`${id}(${params.get(id) ?? ''})`); // a pattern JavaScript cannot compile
      continue;
    }
    if (check !== undefined && check !== 'moot') rules.push({ id, check });
  }
  return { rules, unknown };
}

/** The first failing policy in Keycloak's order, or undefined when the password passes them all. */
export function checkPassword(policy: PasswordPolicy, password: string, user: PolicyUser): PolicyFailure | undefined {
  for (const rule of policy.rules) {
    const failure = rule.check(password, user);
    if (failure) return failure;
  }
  return undefined;
}
