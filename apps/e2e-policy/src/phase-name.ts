import { SelftestError } from './selftest-error.js';

/**
 * Every phase of the selftest, in the order a full run executes them.
 *
 * @example
 * PHASE_NAMES[0]; // 'bringup'
 */
export const PHASE_NAMES: readonly ['bringup', 'routing', 'policy', 'keystored', 'exec', 'audit', 'durable', 'learn', 'shadow', 'flood', 'faults'] = Object.freeze([
  'bringup',
  'routing',
  'policy',
  'keystored',
  'exec',
  'audit',
  'durable',
  'learn',
  'shadow',
  'flood',
  'faults',
] as const);

/**
 * One phase name.
 *
 * @example
 * const phase: PhaseName = 'faults';
 */
export type PhaseName = (typeof PHASE_NAMES)[number];

/**
 * Checks a phase name, throwing `SelftestError('UNKNOWN_PHASE')` for anything that is not one.
 *
 * @example
 * phaseName('exec'); // 'exec'
 */
export function phaseName(value: string): PhaseName {
  const found = PHASE_NAMES.find((name) => name === value);
  if (found === undefined) {
    throw new SelftestError('UNKNOWN_PHASE', `unknown phase "${value.slice(0, 48)}" (phases: ${PHASE_NAMES.join(', ')})`);
  }
  return found;
}

/**
 * Orders a selection of phases as a full run would, without repeats; an empty selection is every phase.
 *
 * @example
 * orderPhases(['faults', 'bringup', 'faults']); // ['bringup', 'faults']
 */
export function orderPhases(selected: readonly PhaseName[]): readonly PhaseName[] {
  if (selected.length === 0) return PHASE_NAMES;
  return PHASE_NAMES.filter((name) => selected.includes(name));
}
