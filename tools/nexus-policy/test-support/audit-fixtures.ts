import { join } from 'node:path';
import { PACKAGE_ROOT } from './run-cli.js';

/**
 * The journals the README's audit examples run on, in fixtures/audit/. They are regenerated (with a
 * fresh key whose private half is never written) by `NEXUS_UPDATE_AUDIT_FIXTURES=1 npx vitest run
 * src/audit-fixtures.test.ts`; otherwise this test checks that they still say what the README says.
 */
export const AUDIT_FIXTURES: string = join(PACKAGE_ROOT, 'fixtures', 'audit');
