/**
 * The known name closest to `word` by edit distance (insert, delete, substitute, swap adjacent),
 * when it is close enough to be a typo: at most 2 edits, and fewer than half of the word's length.
 * `undefined` otherwise. Inputs are cut to 64 characters, so a hostile argument costs little.
 *
 * @example
 * didYouMean('chek', ['check', 'explain']); // 'check'
 * didYouMean('zzzz', ['check']);            // undefined
 */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  const input = word.slice(0, 64);
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.ceil(input.length / 2));
  for (const candidate of known) {
    const distance = editDistance(input, candidate.slice(0, 64));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  // Optimal string alignment distance: Levenshtein plus adjacent transpositions.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row[j] = d;
    }
  }
  return rows[a.length]?.[b.length] ?? 0;
}
