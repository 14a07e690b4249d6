import { describe, expect, test } from 'vitest';
import { CodedError, type CodeOf } from './coded-error.js';
import { IPC_ERROR_CODES, IpcError } from './ipc-error.js';

const DEMO_CODES = { BAD_VALUE: 'an argument that cannot be used', ALREADY_CONNECTED: 'a channel connected twice' } as const;

class DemoError extends CodedError<CodeOf<typeof DEMO_CODES>> {
  override readonly name: 'DemoError' = 'DemoError';
}

describe(CodedError, () => {
  const cause = new Error('inner');
  const cases: ReadonlyArray<{ name: string; error: DemoError; message: string }> = [
    { name: 'CODE: message', error: new DemoError('BAD_VALUE', 'n must be > 0'), message: 'BAD_VALUE: n must be > 0' },
    { name: 'at: CODE: message', error: new DemoError('ALREADY_CONNECTED', 'twice', { at: 'a.toml:3:7' }), message: 'a.toml:3:7: ALREADY_CONNECTED: twice' },
    { name: 'a cause is kept', error: new DemoError('ALREADY_CONNECTED', 'x', { cause }), message: 'ALREADY_CONNECTED: x' },
  ];
  test.each(cases)('$name', ({ error, message }) => {
    expect(error.message).toBe(message);
    expect(error).toBeInstanceOf(CodedError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DemoError');
    expect(Object.keys(DEMO_CODES)).toContain(error.code);
  });

  test('the cause is passed to Error', () => {
    expect(new DemoError('ALREADY_CONNECTED', 'x', { cause }).cause).toBe(cause);
  });

  test('IpcError is a CodedError whose codes come from its table', () => {
    const error = new IpcError('BAD_VALUE', 'timeoutMs');
    expect(error).toBeInstanceOf(CodedError);
    expect(error.message).toBe('BAD_VALUE: timeoutMs');
    expect(Object.keys(IPC_ERROR_CODES)).toContain(error.code);
  });
});
