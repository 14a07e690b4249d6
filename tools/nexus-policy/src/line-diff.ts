/**
 * A unified diff of two texts (no context lines), hunks headed `@@ -a,n +b,m @@`, from a longest
 * common subsequence over lines. Policy files are at most 64 KiB, so the quadratic table stays small.
 * An empty string when the texts are equal.
 *
 * @example
 * lineDiff('a\nb\n', 'a\nc\n', 'x.toml'); // '--- x.toml\n+++ x.toml (formatted)\n@@ -2,1 +2,1 @@\n-b\n+c\n'
 */
export function lineDiff(before: string, after: string, path: string): string {
  if (before === after) return '';
  const a = before.split('\n');
  const b = after.split('\n');
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j] ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  let out = `--- ${path}\n+++ ${path} (formatted)\n`;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    const [fromA, fromB] = [i, j];
    const removed: string[] = [];
    const added: string[] = [];
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) break;
      if (j >= b.length || (i < a.length && (lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0))) {
        removed.push(a[i++] ?? '');
      } else {
        added.push(b[j++] ?? '');
      }
    }
    out += `@@ -${fromA + 1},${removed.length} +${fromB + 1},${added.length} @@\n`;
    for (const line of removed) out += `-${line}\n`;
    for (const line of added) out += `+${line}\n`;
  }
  return out;
}
