import type { IncomingMessage } from 'node:http';
import { KeycloakError } from './keycloak-error.js';

const MAX_BODY_BYTES = 256 * 1024;

/** An `application/x-www-form-urlencoded` body, every value of every name kept, so duplicates can be refused. */
export class Form {
  private constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  static parse(text: string): Form {
    const values = new Map<string, string[]>();
    for (const [name, value] of new URLSearchParams(text)) {
      const list = values.get(name);
      if (list) list.push(value);
      else values.set(name, [value]);
    }
    return new Form(values);
  }

  static empty(): Form {
    return new Form(new Map());
  }

  /** The first value; Keycloak reads forms with getFirst(). */
  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  isEmpty(): boolean {
    return this.values.size === 0;
  }

  /** Keycloak's TokenEndpoint.checkParameterDuplicated: any name sent twice fails the request. */
  hasDuplicates(): boolean {
    return [...this.values.values()].some((list) => list.length > 1);
  }
}

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** The body of a POST (empty for other methods), refused past a size no form of these endpoints needs. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  if (req.method !== 'POST') return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new KeycloakError(413, 'invalid_request', 'Request entity too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The form of a request to one of Keycloak's form endpoints. A body of another type reads as an empty form, as
 * Keycloak 26.7.3 reads it (a JSON body to the token endpoint is "Missing form parameter: grant_type", not a 415), and
 * so does no body at all: the endpoint's own "missing parameter" answer shows.
 */
export function formOf(req: IncomingMessage, body: Buffer): Form {
  if (body.length === 0 || !isForm(req.headers['content-type'])) return Form.empty();
  return Form.parse(body.toString('utf8'));
}

export async function readForm(req: IncomingMessage): Promise<Form> {
  return formOf(req, await readBody(req));
}
