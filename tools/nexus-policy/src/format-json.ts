/**
 * Serialises a value as one JSON document for `--json` output: bigints become decimal strings and
 * byte arrays become lowercase hex, so nothing is lost or rejected by `JSON.stringify`.
 *
 * @example
 * formatJson({ seq: 3n, hash: new Uint8Array([1, 255]) }); // '{\n  "seq": "3",\n  "hash": "01ff"\n}\n'
 */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, replace, 2)}\n`;
}

function replace(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}
