import { IpcError } from '../ipc-error.js';
import { IPC_LIMITS } from '../ipc-limits.js';
import { isServiceName } from '../service-name.js';

const hasOwn = Object.hasOwn;
const ownKeys = Reflect.ownKeys;
const ownDescriptor = Reflect.getOwnPropertyDescriptor;
const NO_OPTIONS: Readonly<Record<string, never>> = Object.freeze(Object.create(null) as Record<string, never>);

/**
 * Checks a service name. Throws `NAME_INVALID`.
 *
 * @example
 * checkName('policyd'); // 'policyd'
 */
export function checkName(name: unknown): string {
  if (!isServiceName(name)) {
    throw new IpcError('NAME_INVALID', `a service name is 1..${IPC_LIMITS.maxNameBytes} bytes of [a-z0-9._-]`);
  }
  return name;
}

/**
 * Checks an integer in `min..max`. Throws `BAD_VALUE`.
 *
 * @example
 * checkInt(16, 1, 1024, 'queueDepth'); // 16
 */
export function checkInt(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new IpcError('BAD_VALUE', `${what} must be an integer in ${min}..${max}`);
  }
  return value;
}

/**
 * Checks a duration in ms, `0..IPC_LIMITS.maxTimeoutMs`. Throws `BAD_VALUE`.
 *
 * @example
 * checkMs(200, 'timeoutMs'); // 200
 */
export function checkMs(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > IPC_LIMITS.maxTimeoutMs) {
    throw new IpcError('BAD_VALUE', `${what} must be a number of ms in 0..${IPC_LIMITS.maxTimeoutMs}`);
  }
  return value;
}

/**
 * Reads an options object exactly once into a private snapshot, before anything is checked: only
 * own data properties with known keys count. An accessor is refused rather than called (a getter
 * could answer the admission check and the enqueue step differently), an inherited property is
 * not read at all, and a Proxy whose traps throw is `BAD_VALUE`, never its own error. Later
 * checks use only the snapshot, so nothing the caller does afterwards changes what was checked.
 *
 * @example
 * const { cap, timeoutMs } = snapshotOptions<CallOptions>(options, ['cap', 'timeoutMs']);
 */
export function snapshotOptions<T extends object>(options: unknown, allowed: readonly (keyof T & string)[]): Partial<T> {
  // No options is the common call: one shared frozen snapshot, nothing allocated.
  if (options === undefined) return NO_OPTIONS as Partial<T>;
  if (typeof options !== 'object' || options === null) {
    throw new IpcError('BAD_VALUE', 'options must be an object');
  }
  const snapshot: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  try {
    for (const key of ownKeys(options)) {
      if (typeof key !== 'string' || !(allowed as readonly string[]).includes(key)) {
        throw new IpcError('BAD_VALUE', `unknown option ${typeof key === 'string' ? key : 'symbol'}`);
      }
      const descriptor = ownDescriptor(options, key);
      // A Proxy may list a key it then does not describe: it is absent.
      if (descriptor === undefined) continue;
      if (!hasOwn(descriptor, 'value')) {
        throw new IpcError('BAD_VALUE', `option ${key} must be a data property, not a getter`);
      }
      snapshot[key] = descriptor.value;
    }
  } catch (error) {
    if (error instanceof IpcError) throw error;
    throw new IpcError('BAD_VALUE', 'options could not be read');
  }
  return snapshot as Partial<T>;
}
