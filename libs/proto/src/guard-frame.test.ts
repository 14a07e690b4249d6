import { FrameReader, IpcError } from '@nexus/ipc';
import { describe, expect, test } from 'vitest';
import { guardFrame } from './guard-frame.js';

type DemoCode = 'MALFORMED' | 'BAD_VALUE';

class DemoError extends Error {
  readonly code: DemoCode;
  constructor(code: DemoCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DemoError';
    this.code = code;
  }
}

describe(guardFrame, () => {
  test('returns the value of a step that succeeds', () => {
    expect(guardFrame(() => new FrameReader(Uint8Array.of(7)).u8(), DemoError, 'MALFORMED')).toBe(7);
  });

  test('test_reject_short_read: an IpcError becomes the package error of the given code, with its cause', () => {
    let thrown: unknown;
    try {
      guardFrame(() => new FrameReader(new Uint8Array(0)).u8(), DemoError, 'MALFORMED');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DemoError);
    expect(thrown).toMatchObject({ code: 'MALFORMED' });
    expect((thrown as DemoError).cause).toBeInstanceOf(IpcError);
    expect((thrown as DemoError).message).toBe(((thrown as DemoError).cause as IpcError).message);
  });

  test('the package error thrown inside passes through unchanged', () => {
    const own = new DemoError('BAD_VALUE', 'mine');
    expect(() =>
      guardFrame(
        () => {
          throw own;
        },
        DemoError,
        'MALFORMED',
      ),
    ).toThrow(own);
  });

  test('test_reject_foreign_error: anything else is wrapped too', () => {
    expect(() =>
      guardFrame(
        () => {
          throw new RangeError('boom');
        },
        DemoError,
        'BAD_VALUE',
      ),
    ).toThrow(expect.objectContaining({ name: 'DemoError', code: 'BAD_VALUE', message: 'RangeError: boom' }));
  });
});
