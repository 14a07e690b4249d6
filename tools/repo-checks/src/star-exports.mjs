// Named exports only: an index that re-exports a whole module (`export * from`) publishes whatever
// that module adds later, so a package's public surface can no longer be read in one place.

const STAR = /^\s*export\s+(?:type\s+)?\*(?:\s+as\s+\w+)?\s+from\s+['"]([^'"]+)['"]/;

/**
 * The `export * from '…'` lines of `source` (with `type` and `as name` forms), as
 * `{ line, specifier }`; comments are not read as code.
 *
 * @example
 * starExports("export * from './a.js';\nexport { b } from './b.js';"); // [{ line: 1, specifier: './a.js' }]
 */
export function starExports(source) {
  const out = [];
  let inBlock = false;
  source.split('\n').forEach((text, i) => {
    let code = text;
    if (inBlock) {
      const end = code.indexOf('*/');
      if (end < 0) return;
      code = code.slice(end + 2);
      inBlock = false;
    }
    const open = code.indexOf('/*');
    if (open >= 0 && code.indexOf('*/', open + 2) < 0) {
      inBlock = true;
      code = code.slice(0, open);
    }
    const m = STAR.exec(code);
    if (m) out.push({ line: i + 1, specifier: m[1] });
  });
  return out;
}
