const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** How Keycloak types its HTML pages (no space before charset). */
export const HTML_TYPE = 'text/html;charset=utf-8';

/** The development IdP's few browser pages: plain, labelled as what they are. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - authgate development IdP</title></head>
<body><main><h1>${escapeHtml(title)}</h1>
<p><strong>Development identity provider: not for production.</strong></p>
${body}</main></body></html>`;
}
