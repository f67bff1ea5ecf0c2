/** An answer as the IdP tests read it: its text, and that text parsed as JSON when there is any. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when empty). */
  readonly body: Record<string, unknown> | undefined;
}

export async function readReply(res: Response): Promise<Reply> {
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

/** A request body as a test gives it: a string exactly as it is (malformed on purpose, say), anything else as JSON. */
export function bodyText(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}
