import { CodedError, type CodeOf } from '@nexus/ipc';

/**
 * Every failure `@nexus/init-lite` throws. Protocol outcomes (deny, not found) are values; this
 * union covers misuse of the boot-time API (broken RT bytes are `@nexus/proto`'s `ProtoError`):
 * - `BAD_VALUE`: `register` or `replace` was given a value it cannot carry.
 * - `ALREADY_CONNECTED`: `connectPolicyd` was called a second time.
 * - `ALREADY_REGISTERED`: `register` of a name already in the table.
 * - `NOT_REGISTERED`: `replace` of a name never registered (a replace must not add a service).
 * - `LIMIT_REACHED`: `register` beyond `MAX_REGISTERED_SERVICES` (`@nexus/ipc`'s name for a bound
 *   reached).
 *
 * @example
 * Object.keys(INIT_LITE_ERROR_CODES); // every code, for a tool to list
 */
export const INIT_LITE_ERROR_CODES = {
  BAD_VALUE: '`register` or `replace` was given a value it cannot carry',
  ALREADY_CONNECTED: 'connectPolicyd was called a second time',
  ALREADY_REGISTERED: '`register` of a name already in the table',
  NOT_REGISTERED: '`replace` of a name never registered (a replace must not add a service)',
  LIMIT_REACHED: '`register` beyond MAX_REGISTERED_SERVICES',
} as const;

/**
 * The code union of {@link INIT_LITE_ERROR_CODES}.
 *
 * @example
 * const code: InitLiteErrorCode = 'ALREADY_REGISTERED';
 */
export type InitLiteErrorCode = CodeOf<typeof INIT_LITE_ERROR_CODES>;

/**
 * The one error class of `@nexus/init-lite`.
 *
 * @example
 * try { registry.register('logd', cap); }
 * catch (e) { if (e instanceof InitLiteError && e.code === 'ALREADY_REGISTERED') log('registered twice'); }
 */
export class InitLiteError extends CodedError<InitLiteErrorCode> {
  override readonly name: 'InitLiteError' = 'InitLiteError';
}
