import { open, writeFile } from 'node:fs/promises';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';

/**
 * The real process: `process.stdout` / `process.stderr`, `process.cwd()`, and a file reader that
 * checks the size before reading so an oversized file costs nothing.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), nodeIo());
 */
export function nodeIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    readFile: readBoundedFile,
    writeFile: (path, text) => writeFile(path, text, 'utf8'),
  };
}

async function readBoundedFile(path: string, maxBytes: number, encoding: 'utf-8' | 'latin1' = 'utf-8'): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new CliError('IO', `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause });
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new CliError('TOO_LARGE', `${path} is ${size} bytes, more than ${maxBytes}`);
    const bytes = Buffer.alloc(size);
    const { bytesRead } = await handle.read(bytes, 0, size, 0);
    if (encoding === 'latin1') return bytes.subarray(0, bytesRead).toString('latin1');
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytesRead));
  } catch (cause) {
    if (cause instanceof CliError) throw cause;
    throw new CliError('IO', `cannot read ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  } finally {
    await handle.close();
  }
}
