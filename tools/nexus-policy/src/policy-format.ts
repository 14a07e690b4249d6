import taploLib from '@taplo/lib';
import { compilePolicy } from '@nexus/sel';

// Taplo ships CommonJS; its named export is only reachable through the default import.
const { Taplo } = taploLib;
type TaploInstance = Awaited<ReturnType<typeof Taplo.initialize>>;

const TABLE_ORDER = ['allow', 'deny', 'restrict'] as const;
const HEADER = /^\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$/;

let taplo: Promise<TaploInstance> | undefined;

/**
 * The canonical layout of one policy file: tables in the order `[allow]`, `[deny]`, `[restrict]`
 * (each with the comments right above it), then Taplo's formatter with keys and array items sorted,
 * arrays on one line up to 100 columns and one item per line beyond, one blank line at most, and a
 * trailing newline. Comments are kept. The result must compile to the same policy (same version)
 * as the input, or this throws: a formatter never changes what a policy decides. A file that is
 * not valid TOML throws the compiler's `PolicyError` with its position.
 *
 * @example
 * await formatPolicyText('[deny]\nb = ["x"]\n[allow]\na = ["z", "y"]\n', 'a.toml');
 * // '[allow]\na = ["y", "z"]\n[deny]\nb = ["x"]\n'
 */
export async function formatPolicyText(text: string, path: string): Promise<string> {
  const before = compilePolicy([{ path, text }]);
  const formatter = await (taplo ??= Taplo.initialize());
  const formatted = formatter.format(orderTables(text), {
    // `reorderArrays` is a Taplo formatter option its TypeScript declarations (0.5.0) do not list
    // yet; the sorted-arrays test proves the wasm formatter honours it.
    options: {
      reorderKeys: true,
      ...{ reorderArrays: true },
      arrayAutoExpand: true,
      arrayAutoCollapse: true,
      arrayTrailingComma: true,
      columnWidth: 100,
      allowedBlankLines: 1,
      trailingNewline: true,
      alignEntries: false,
      indentTables: false,
      indentEntries: false,
    },
  });
  const after = compilePolicy([{ path, text: formatted }]);
  if (after.version !== before.version) {
    throw new Error(`formatting ${path} would change the policy (${before.version} → ${after.version})`);
  }
  return formatted;
}

/**
 * Moves whole table sections into the fixed order. A section is its header line, the lines up to
 * the next header, and the run of comment lines directly above the header; what comes before the
 * first section (the file's own header comment) stays first.
 */
function orderTables(text: string): string {
  const lines = text.split('\n');
  const starts: { line: number; name: string }[] = [];
  lines.forEach((line, at) => {
    const match = HEADER.exec(line);
    if (match?.[1] !== undefined) starts.push({ line: at, name: match[1] });
  });
  if (starts.length < 2) return text;
  // Pull each header's comment block into its section.
  const cuts = starts.map(({ line }, index) => {
    const floor = index === 0 ? 0 : (starts[index - 1]?.line ?? 0) + 1;
    let cut = line;
    while (cut > floor && /^\s*#/.test(lines[cut - 1] ?? '')) cut--;
    return cut;
  });
  const lead = lines.slice(0, cuts[0]);
  const sections = starts.map(({ name }, index) => ({
    name,
    body: lines.slice(cuts[index], cuts[index + 1] ?? lines.length),
  }));
  const rank = (name: string): number => {
    const at = (TABLE_ORDER as readonly string[]).indexOf(name);
    return at < 0 ? TABLE_ORDER.length : at;
  };
  const sorted = [...sections].sort((a, b) => rank(a.name) - rank(b.name));
  if (sorted.every((section, index) => section === sections[index])) return text;
  const blocks = [trimBlank(lead), ...sorted.map((section) => trimBlank(section.body))].filter((b) => b.length > 0);
  return `${blocks.map((block) => block.join('\n')).join('\n\n')}\n`;
}

function trimBlank(lines: readonly string[]): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end--;
  return lines.slice(0, end);
}
