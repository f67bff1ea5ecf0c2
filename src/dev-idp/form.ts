import type { IncomingMessage } from 'node:http';
import { KC, KeycloakError } from './keycloak-error.js';

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

  /** Keycloak's TokenEndpoint.checkParameterDuplicated: any name sent twice fails the request. */
  hasDuplicates(): boolean {
    return [...this.values.values()].some((list) => list.length > 1);
  }
}

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/**
 * Reads the form of a POST to one of Keycloak's form endpoints (@Consumes form-urlencoded). A body of another type is
 * refused as JAX-RS refuses it; no body at all is an empty form, so the endpoint's own "missing parameter" answer shows.
 */
export async function readForm(req: IncomingMessage): Promise<Form> {
  if (req.method !== 'POST') return Form.empty();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new KeycloakError(413, 'invalid_request', 'Request entity too large');
    chunks.push(buffer);
  }
  if (size === 0) return Form.empty();
  if (!isForm(req.headers['content-type'])) throw KC.unsupportedMediaType();
  return Form.parse(Buffer.concat(chunks).toString('utf8'));
}
