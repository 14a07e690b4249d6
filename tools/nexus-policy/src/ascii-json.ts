import { formatJson } from './format-json.js';

/**
 * `formatJson` with every non-ASCII character escaped too, for output that carries journal
 * fields: no byte a journal holds reaches the terminal raw, even through a JSON string.
 *
 * @example
 * asciiJson({ target: 'x\u202e' }); // '{\n  "target": "x\\u202e"\n}\n'
 */
export function asciiJson(value: unknown): string {
  return formatJson(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
