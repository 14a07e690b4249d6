/**
 * Every failure `@nexus/execd` throws. Protocol outcomes (deny, not found, spawn failed) are
 * values, and broken EX bytes are `@nexus/proto`'s `ProtoError`; this union covers misuse of the
 * boot-time API:
 * - `STATE`: boot wiring used out of order (a channel connected twice).
 */
export type ExecdErrorCode = 'STATE';

/**
 * The one error class of `@nexus/execd`.
 *
 * @example
 * try { execd.connectPolicyd(cap); }
 * catch (e) { if (e instanceof ExecdError && e.code === 'STATE') log('wired twice'); }
 */
export class ExecdError extends Error {
  override readonly name: 'ExecdError' = 'ExecdError';
  readonly code: ExecdErrorCode;

  constructor(code: ExecdErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
