import { CodedError, type CodeOf } from '@nexus/ipc';

/**
 * Every failure `@nexus/init-lite` throws. Protocol outcomes (deny, not found) are values; this
 * union covers misuse of the boot-time API (broken RT bytes are `@nexus/proto`'s `ProtoError`):
 * - `BAD_VALUE`: `register` or `replace` was given a value it cannot carry.
 * - `STATE`: boot wiring used out of order (policyd connected twice, a name registered twice,
 *   too many services, a replace of a name never registered).
 *
 * @example
 * Object.keys(INIT_LITE_ERROR_CODES); // every code, for a tool to list
 */
export const INIT_LITE_ERROR_CODES = {
  BAD_VALUE: '`register` or `replace` was given a value it cannot carry',
  STATE: 'boot wiring used out of order (policyd connected twice, a name registered twice, too many services, a replace of a name never registered)',
} as const;

/**
 * The code union of {@link INIT_LITE_ERROR_CODES}.
 *
 * @example
 * const code: InitLiteErrorCode = 'STATE';
 */
export type InitLiteErrorCode = CodeOf<typeof INIT_LITE_ERROR_CODES>;

/**
 * The one error class of `@nexus/init-lite`.
 *
 * @example
 * try { registry.register('logd', cap); }
 * catch (e) { if (e instanceof InitLiteError && e.code === 'STATE') log('registered twice'); }
 */
export class InitLiteError extends CodedError<InitLiteErrorCode> {
  override readonly name: 'InitLiteError' = 'InitLiteError';
}
