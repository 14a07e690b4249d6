import { fileURLToPath } from 'node:url';

/**
 * The repository's `recipes/policy`, found from this module's own location (`src/` in tests,
 * `dist/` when built: both sit two levels under the repository root), never from the cwd.
 *
 * @example
 * defaultPolicyDir(); // '/work/main/recipes/policy'
 */
export function defaultPolicyDir(): string {
  return fileURLToPath(new URL('../../../recipes/policy', import.meta.url));
}
