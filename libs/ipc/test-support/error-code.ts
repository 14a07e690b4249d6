import { IpcError } from '../src/ipc-error.js';

/** A frame from byte values. */
export const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** The IpcError code of a throw, 'ok' when nothing was thrown; any other throw fails the test. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof IpcError) return error.code;
    throw error;
  }
  return 'ok';
}
