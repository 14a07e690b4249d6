import { printable } from './printable.js';

const HTML_ESCAPES: Readonly<Record<string, string>> = Object.freeze({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
});

/**
 * Text as HTML that is only ever text: `& < > " '` become entities, so the result is safe both
 * between tags and inside a quoted attribute. Nothing else is needed for those two contexts; the
 * report never puts data into a script, a style, a URL or an unquoted attribute.
 *
 * @example
 * escapeHtml('<b title="x">'); // '&lt;b title=&quot;x&quot;&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * A field taken from a journal, as HTML: first `printable` (every byte that is not printable ASCII
 * becomes `\xNN` / `\u{N}`, so bidi overrides, look-alike letters and control bytes show as what
 * they are), then `escapeHtml`. Every journal string in the report goes through this.
 *
 * @example
 * journalText('<script>\u202e'); // '&lt;script&gt;\\u{202e}'
 */
export function journalText(text: string): string {
  return escapeHtml(printable(text));
}
