/**
 * Renders rows as a plain-text table with a header row and columns padded to their widest cell.
 * Trailing spaces are trimmed so the output diffs cleanly.
 *
 * @example
 * formatTable(['seq', 'op'], [['1', 'check']]);
 * // 'seq  op\n1    check\n'
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const render = (row: readonly string[]): string =>
    widths
      .map((width, i) => (row[i] ?? '').padEnd(width))
      .join('  ')
      .trimEnd();
  return [header, ...rows].map((row) => `${render(row)}\n`).join('');
}
