import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRecord, verifyChain } from '@nexus/audit';
import { describe, expect, test } from 'vitest';
import { appendAudit, decisionInput, newChain, readJournal, useDurableRigs } from '../test-support/durable-rig.js';
import { LogdError } from './logd-error.js';
import { encodeSegmentHeader, SEGMENT_FORMAT } from './segment-format.js';

const { stateDir, boot, crash } = useDurableRigs();

/** A state dir with `n` acknowledged audit records in one segment; returns that segment's path and size before the last frame. */
async function seeded(n: number): Promise<{ dir: string; segment: string; beforeLast: number; size: number }> {
  const dir = stateDir();
  const rig = boot(dir);
  const chain = newChain();
  let beforeLast = 0;
  for (let i = 0; i < n; i++) {
    if (i === n - 1) beforeLast = rig.logd.stats().storage?.auditBytes ?? 0;
    expect((await appendAudit(rig, chain.appendSealed(decisionInput(i)).encoded)).status).toBe(0);
  }
  await crash(rig);
  const segment = join(dir, 'audit', (readdirSync(join(dir, 'audit')).sort()[0] as string));
  return { dir, segment, beforeLast, size: statSync(segment).size };
}

describe('recovery', () => {
  test('truncating the last segment at every byte offset of its last frame recovers to the previous record, reported', async () => {
    const { dir, segment, beforeLast, size } = await seeded(5);
    const original = readFileSync(segment);
    expect(size - beforeLast).toBeGreaterThan(SEGMENT_FORMAT.frameHeaderBytes);
    let checked = 0;
    for (let cut = beforeLast + 1; cut < size; cut++) {
      // The state a crash leaves: the cut segment is the newest (later runs' segments never existed).
      for (const name of readdirSync(join(dir, 'audit'))) if (name !== '0000000001.seg') rmSync(join(dir, 'audit', name));
      writeFileSync(segment, original.subarray(0, cut));
      // The new runs' own empty segments are removed at the next start, so only ours is torn.
      const rig = boot(dir);
      expect(rig.lines[0]).toContain(`torn tail ${cut - beforeLast} bytes cut at audit/0000000001.seg@${beforeLast}`);
      expect(rig.logd.stats().storage?.recovery.audit.tornTail).toEqual({ segment: '0000000001.seg', offset: beforeLast, kind: 'torn-tail', bytes: cut - beforeLast });
      const records = (await readJournal(rig)).map(decodeRecord);
      expect(records.map((r) => r.seq)).toEqual([1n, 2n, 3n, 4n]);
      expect(verifyChain(records).ok).toBe(true);
      expect(statSync(segment).size).toBe(beforeLast);
      await crash(rig);
      checked += 1;
    }
    expect(checked).toBe(size - beforeLast - 1);
  });

  test('a flipped byte in the middle is a corruption with its segment and offset, never skipped silently', async () => {
    const { dir, segment } = await seeded(6);
    const bytes = readFileSync(segment);
    // Frame 3 (seq 3): walk the lengths.
    let at = SEGMENT_FORMAT.headerBytes;
    for (let i = 0; i < 2; i++) at += SEGMENT_FORMAT.frameHeaderBytes + new DataView(bytes.buffer, bytes.byteOffset + at).getUint32(0, true);
    bytes[at + 30] = (bytes[at + 30] ?? 0) ^ 0x01;
    writeFileSync(segment, bytes);
    const rig = boot(dir);
    expect(rig.lines[0]).toContain(`1 corrupt (bad-checksum at audit/0000000001.seg@${at})`);
    expect(rig.logd.stats().storage?.recovery.audit.corruptions).toEqual([{ segment: '0000000001.seg', offset: at, kind: 'bad-checksum', bytes: expect.any(Number) }]);
    expect(rig.logd.stats().storage?.recovery.audit.tornTail).toBeUndefined();
    const seqs = (await readJournal(rig)).map((b) => decodeRecord(b).seq);
    expect(seqs).toEqual([1n, 2n, 4n, 5n, 6n]);
    // The hole is visible to verification: the chain breaks at seq 4.
    expect(verifyChain((await readJournal(rig)).map(decodeRecord)).ok).toBe(false);
    expect(rig.logd.stats().audit).toMatchObject({ total: 6n, count: 5, dropped: 1n });
    // The damaged file is left as it was: evidence is not rewritten.
    expect(readFileSync(segment).equals(bytes)).toBe(true);
  });

  test('a damaged length in the newest segment followed by valid frames is a corruption, not a torn tail', async () => {
    const { dir, segment } = await seeded(4);
    const bytes = readFileSync(segment);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(SEGMENT_FORMAT.headerBytes, 0xffff, true);
    writeFileSync(segment, bytes);
    const rig = boot(dir);
    const r = rig.logd.stats().storage?.recovery.audit;
    expect(r?.corruptions.map((c) => [c.kind, c.offset])).toEqual([['bad-length', SEGMENT_FORMAT.headerBytes]]);
    expect((await readJournal(rig)).map((b) => decodeRecord(b).seq)).toEqual([2n, 3n, 4n]);
  });

  test('a segment whose header was cut while it was created is removed and reported', async () => {
    const { dir } = await seeded(3);
    writeFileSync(join(dir, 'audit', '0000000009.seg'), encodeSegmentHeader({ journal: 'audit', segmentNo: 9, firstId: 4n }).subarray(0, 11));
    const rig = boot(dir);
    expect(rig.logd.stats().storage?.recovery.audit.tornTail).toEqual({ segment: '0000000009.seg', offset: 0, kind: 'torn-header', bytes: 11 });
    expect((await readJournal(rig)).length).toBe(3);
  });
});

describe('bad state dirs are typed startup errors with the path', () => {
  const startError = (dir: string): LogdError => {
    try {
      boot(dir);
    } catch (error) {
      if (error instanceof LogdError) return error;
      throw error;
    }
    throw new Error('logd started');
  };

  test('test_reject_state_dir_is_a_file', () => {
    const file = join(stateDir(), 'plain-file');
    writeFileSync(file, 'x');
    const e = startError(file);
    expect([e.code, e.path]).toEqual(['STATE_DIR', file]);
  });

  test('test_reject_journal_folder_is_a_file', () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'audit'), 'x');
    const e = startError(dir);
    expect([e.code, e.path]).toEqual(['STATE_DIR', join(dir, 'audit')]);
  });

  test('test_reject_state_dir_under_a_file', () => {
    const file = join(stateDir(), 'plain-file');
    writeFileSync(file, 'x');
    const e = startError(join(file, 'sub'));
    expect(e.code).toBe('STATE_DIR');
    expect(e.path).toBe(join(file, 'sub'));
  });

  test.skipIf(process.getuid?.() === 0)('test_reject_unwritable_state_dir', () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'audit'));
    chmodSync(join(dir, 'audit'), 0o555);
    const e = startError(dir);
    expect([e.code, e.path]).toEqual(['STATE_DIR', join(dir, 'audit')]);
    chmodSync(join(dir, 'audit'), 0o755);
  });

  test('test_reject_foreign_segment', () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'audit'));
    const path = join(dir, 'audit', '0000000001.seg');
    writeFileSync(path, 'SQLite format 3\0 and more bytes than a header');
    const e = startError(dir);
    expect([e.code, e.path]).toEqual(['FOREIGN_SEGMENT', path]);
    expect(readFileSync(path, 'utf8')).toContain('SQLite'); // never reset
  });

  test('test_reject_segment_of_the_other_journal', () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'audit'));
    const path = join(dir, 'audit', '0000000001.seg');
    writeFileSync(path, encodeSegmentHeader({ journal: 'general', segmentNo: 1, firstId: 1n }));
    expect(startError(dir).code).toBe('FOREIGN_SEGMENT');
  });

  test('test_reject_future_version_segment', () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'general'), { recursive: true });
    const path = join(dir, 'general', '0000000001.seg');
    const header = encodeSegmentHeader({ journal: 'general', segmentNo: 1, firstId: 1n });
    header[8] = 9;
    writeFileSync(path, header);
    const e = startError(dir);
    expect([e.code, e.path]).toEqual(['FUTURE_SEGMENT', path]);
    expect(e.message).toContain('version 9');
  });

  test('test_reject_corrupt_segment_header', () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'audit'));
    const path = join(dir, 'audit', '0000000001.seg');
    const header = encodeSegmentHeader({ journal: 'audit', segmentNo: 1, firstId: 1n });
    header[17] = 0x42;
    writeFileSync(path, header);
    expect(startError(dir).code).toBe('CORRUPT_SEGMENT');
  });

  test('test_reject_odd_segment_name', () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'audit'));
    writeFileSync(join(dir, 'audit', 'x.seg'), '');
    expect(startError(dir).code).toBe('FOREIGN_SEGMENT');
  });

  test('test_reject_a_cut_older_segment_is_corruption_not_repair', async () => {
    const { dir, segment } = await seeded(3);
    // A second, newer segment makes the first one "not the newest": a cut there is not a torn tail.
    const rig = boot(dir);
    await appendAudit(rig, newChain().appendSealed(decisionInput(0)).encoded);
    await crash(rig);
    truncateSync(segment, statSync(segment).size - 3);
    const again = boot(dir);
    const r = again.logd.stats().storage?.recovery.audit;
    expect(r?.tornTail).toBeUndefined();
    expect(r?.corruptions).toHaveLength(1);
  });
});

describe('readAuditStateDir', () => {
  test('reads every boot without repairing anything', async () => {
    const { readAuditStateDir } = await import('./read-audit-state-dir.js');
    const { dir, segment, beforeLast, size } = await seeded(4);
    writeFileSync(segment, readFileSync(segment).subarray(0, size - 3));
    const { boots, report } = readAuditStateDir(dir);
    expect(boots.map((b) => b.records.length)).toEqual([3]);
    expect(report.tornTail).toMatchObject({ kind: 'torn-tail', offset: beforeLast });
    expect(statSync(segment).size).toBe(size - 3); // left as it was
  });

  test('test_reject_not_a_state_dir', async () => {
    const { readAuditStateDir } = await import('./read-audit-state-dir.js');
    const dir = stateDir();
    expect(() => readAuditStateDir(dir)).toThrow(LogdError);
  });
});
