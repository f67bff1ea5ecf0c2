import type { Request } from 'express';

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none or it is malformed. */
export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer +([\w\-.~+/]+=*)$/i.exec(header.trim());
  return match?.[1];
}
