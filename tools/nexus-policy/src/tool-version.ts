import { readFileSync } from 'node:fs';

/**
 * The version of the installed `@nexus/policy-cli` package, read from its own package.json (one
 * level above both `src/` and `dist/`), so `--version` never disagrees with what npm installed.
 *
 * @example
 * TOOL_VERSION; // '0.1.0'
 */
export const TOOL_VERSION: string = readVersion();

function readVersion(): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const version = (parsed as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
