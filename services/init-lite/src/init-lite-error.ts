/**
 * Every failure `@nexus/init-lite` throws. Protocol outcomes (deny, not found) are values; this
 * union covers misuse of the boot-time API (broken RT bytes are `@nexus/proto`'s `ProtoError`):
 * - `BAD_VALUE`: `register` or `replace` was given a value it cannot carry.
 * - `STATE`: boot wiring used out of order (policyd connected twice, a name registered twice,
 *   too many services, a replace of a name never registered).
 */
export type InitLiteErrorCode = 'BAD_VALUE' | 'STATE';

/**
 * The one error class of `@nexus/init-lite`.
 *
 * @example
 * try { registry.register('logd', cap); }
 * catch (e) { if (e instanceof InitLiteError && e.code === 'STATE') log('registered twice'); }
 */
export class InitLiteError extends Error {
  override readonly name: 'InitLiteError' = 'InitLiteError';
  readonly code: InitLiteErrorCode;

  constructor(code: InitLiteErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
