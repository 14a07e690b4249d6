import { execFile, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeRecord, verifyChain } from '@nexus/audit';
import { beforeAll, describe, expect, test } from 'vitest';
import { bootDurable, readJournal, tempStateDir } from '../test-support/durable-rig.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../test-support/crash-child.mjs', import.meta.url));
/** Wall-clock budget of the whole test's iterations (CI keeps it under a minute). */
const BUDGET_MS = 20_000;
const MIN_ITERATIONS = 10;
const MAX_ITERATIONS = 60;

/** Runs the child on `dir`, SIGKILLs it `killAfterMs` after it is ready, and returns the seqs it saw acknowledged. */
function runAndKill(dir: string, killAfterMs: number): Promise<{ acked: bigint[]; refused: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (timer === undefined && out.includes('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`child exited ${code} ${signal}: ${err}`));
        return;
      }
      // Only complete lines count: a line cut by the kill was never fully acknowledged to us.
      const lines = out.split('\n').slice(0, -1);
      resolve({
        acked: lines.filter((l) => l.startsWith('ack ')).map((l) => BigInt(l.slice(4))),
        refused: lines.filter((l) => l.startsWith('refused ')).length,
      });
    });
  });
}

describe('crash safety with a real process (SIGKILL)', () => {
  beforeAll(async () => {
    await promisify(execFile)('npx', ['tsc', '-b', 'services/logd'], { cwd: REPO_ROOT });
  }, 120_000);

  test('every record acknowledged before the kill is present after restart, each boot chains, torn tails are cut and reported', async () => {
    const { dir, remove } = tempStateDir();
    const started = Date.now();
    let iterations = 0;
    let checked = 0;
    let torn = 0;
    let lost = 0;
    try {
      while (iterations < MAX_ITERATIONS && (iterations < MIN_ITERATIONS || Date.now() - started < BUDGET_MS)) {
        const { acked, refused } = await runAndKill(dir, 10 + Math.floor(Math.random() * 250));
        expect(refused).toBe(0);
        const rig = bootDurable(dir);
        try {
          const recovery = rig.logd.stats().storage?.recovery.audit;
          expect(recovery?.corruptions).toEqual([]);
          if (recovery?.tornTail !== undefined) {
            torn += 1;
            expect(rig.lines[0]).toContain('torn tail');
            const t = recovery.tornTail;
            if (t.kind === 'torn-tail') expect(statSync(join(dir, 'audit', t.segment)).size).toBe(t.offset);
          }
          const records = (await readJournal(rig)).map(decodeRecord);
          const boots = rig.logd.stats().storage?.boots ?? [];
          // Each child run is one boot; the newest is the one just killed (it may have stored nothing).
          for (const b of boots) {
            const mine = records.filter((_, k) => BigInt(k + 1) >= b.firstId && BigInt(k + 1) <= b.lastId);
            expect(verifyChain(mine).ok, `boot ${b.ordinal}`).toBe(true);
          }
          const newest = acked.length === 0 ? undefined : boots[boots.length - 1];
          const present = new Set(newest === undefined ? [] : records.slice(Number(newest.firstId) - 1, Number(newest.lastId)).map((r) => r.seq));
          for (const seq of acked) if (!present.has(seq)) lost += 1;
          checked += acked.length;
        } finally {
          rig.kernel.kill(rig.logd.task);
          await rig.logd.close();
        }
        iterations += 1;
      }
    } finally {
      remove();
    }
    console.log(`crash-safety: ${iterations} SIGKILL iterations in ${Date.now() - started} ms, ${checked} acknowledged records checked, ${lost} lost, ${torn} torn tails truncated and reported`);
    expect(lost).toBe(0);
    expect(iterations).toBeGreaterThanOrEqual(MIN_ITERATIONS);
    expect(checked).toBeGreaterThan(iterations);
  }, 90_000);
});
