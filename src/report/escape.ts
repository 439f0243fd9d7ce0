// Strings from results documents may come from a fork: render them inert.

/**
 * Escapes text for GitHub Markdown (a table cell or a line): no HTML, no Markdown syntax, no
 * links or autolinks, no @mentions or #references, no line breaks that end a table row.
 */
export function escapeMarkdown(text: string): string {
  return String(text)
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|<>~&"':@=$]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** For a terminal: control characters (escape sequences) out, and no '|' to break a table. */
export function escapePlain(text: string): string {
  return String(text).replace(/[\u0000-\u001f\u007f\u009b]+/g, ' ').replace(/\|/g, '/');
}

/** For HTML and SVG text and attribute values. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
