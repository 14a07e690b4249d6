import { SERVICE_NAME_MAX_BYTES } from '@nexus/ipc';

/** The two magic bytes `EX` that open every execd frame. */
export const EX_MAGIC: Uint8Array = Uint8Array.of(0x45, 0x58);

/** The only EX protocol version. */
export const EX_VERSION = 1;

/** Longest bundle name a SPAWN carries, in bytes: the kernel's service-name bound. */
export const EX_MAX_NAME: 48 = SERVICE_NAME_MAX_BYTES;

/**
 * Largest EX request frame (header 4 + length 1 + name 48, rounded up); anything longer is
 * answered TOO_LARGE before any parsing.
 */
export const EX_MAX_FRAME = 64;

/** Size of every EX reply: header 4, status 1, task id 8. */
export const EX_REPLY_BYTES = 13;

/** Bit set on the op byte of every reply. */
export const EX_REPLY_BIT = 0x80;

/**
 * EX op codes.
 *
 * @example
 * EX_OP.SPAWN; // 1
 */
export const EX_OP: { readonly SPAWN: 1 } = Object.freeze({ SPAWN: 1 });

/**
 * EX reply status codes (the value); `ExecStatus` is also the type of one code.
 *
 * @example
 * reply.status === ExecStatus.SPAWN_FAILED;
 */
export const ExecStatus: {
  readonly OK: 0;
  readonly NOT_FOUND: 1;
  readonly MALFORMED: 2;
  readonly TOO_LARGE: 3;
  readonly UNSUPPORTED: 4;
  readonly DENY: 5;
  readonly SPAWN_FAILED: 6;
} = Object.freeze({ OK: 0, NOT_FOUND: 1, MALFORMED: 2, TOO_LARGE: 3, UNSUPPORTED: 4, DENY: 5, SPAWN_FAILED: 6 });

/** One EX status code. */
export type ExecStatus = (typeof ExecStatus)[keyof typeof ExecStatus];

/**
 * A SPAWN request: run the installed bundle `name` as a task.
 *
 * @example
 * const req: ExecRequest = { op: EX_OP.SPAWN, name: 'demo.testsvc' };
 */
export interface ExecRequest {
  readonly op: 1;
  readonly name: string;
}

/**
 * An EX reply. `taskId` is the spawned task's service id on OK and `0n` otherwise.
 *
 * @example
 * const reply: ExecReply = { status: ExecStatus.DENY, taskId: 0n };
 */
export interface ExecReply {
  readonly status: ExecStatus;
  readonly taskId: bigint;
}

/**
 * What execd gets from `decodeExecRequest`: a request, or the status to answer with and the
 * ready-made reply frame.
 */
export type ExecDecodeResult =
  | { readonly ok: true; readonly request: ExecRequest }
  | { readonly ok: false; readonly status: 2 | 3 | 4; readonly reply: Uint8Array };

