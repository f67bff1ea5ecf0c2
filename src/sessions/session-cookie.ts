import type { CookieOptions } from 'express';

export interface SessionCookie {
  name: string;
  options: CookieOptions & { httpOnly: true; path: '/' };
}

/**
 * The session cookie as the IETF browser-apps BFF rules ask: HttpOnly, SameSite=Strict, Path=/, no Domain; on https
 * also Secure and the `__Host-` prefix, which the browser enforces (no Domain, Path=/, Secure) so no sibling subdomain
 * can plant or read it.
 */
export function sessionCookie(publicUrl: string): SessionCookie {
  const secure = publicUrl.startsWith('https:');
  return {
    name: secure ? '__Host-authgate.sid' : 'authgate.sid',
    options: { httpOnly: true, sameSite: 'strict', secure, path: '/' },
  };
}

/**
 * The short-lived cookie that binds a code-flow login to the browser that started it. SameSite=Lax, because the
 * provider's redirect back is a cross-site navigation, which does not carry Strict cookies.
 */
export function loginCookie(publicUrl: string): SessionCookie {
  const secure = publicUrl.startsWith('https:');
  return {
    name: secure ? '__Host-authgate.login' : 'authgate.login',
    options: { httpOnly: true, sameSite: 'lax', secure, path: '/' },
  };
}
