import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { tempStateDir } from '../test-support/durable-rig.js';
import { encodeFrame, readFrame, SEGMENT_FORMAT } from './segment-format.js';
import type { SegmentInfo } from './segment-index.js';
import { createSegmentSync, SegmentWriter } from './segment-writer.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(): string {
  const t = tempStateDir();
  cleanups.push(t.remove);
  return t.dir;
}

describe(SegmentWriter, () => {
  test('group commit: frames queued in one turn are written and synced together, in order', async () => {
    const d = dir();
    const { fd, info } = createSegmentSync(d, 'audit', 1, 1n);
    const writer = new SegmentWriter(d, 'audit', fd, info, 1 << 20, () => undefined);
    const frames = Array.from({ length: 50 }, (_, i) => encodeFrame(BigInt(i + 1), 0n, new Uint8Array(10).fill(i)));
    const placed = await Promise.all(frames.map((f, i) => writer.write(f, BigInt(i + 1))));
    expect(writer.syncs).toBe(1);
    expect(placed.map((p) => p.offset)).toEqual(frames.map((_, i) => SEGMENT_FORMAT.headerBytes + i * frames[0]!.byteLength));
    const bytes = readFileSync(info.path);
    const step = readFrame(bytes, placed[49]!.offset);
    expect(step.kind === 'frame' && step.id).toBe(50n);
    await writer.close();
  });

  test('rotation: a frame that does not fit starts a new segment, created before it is written', async () => {
    const d = dir();
    const { fd, info } = createSegmentSync(d, 'general', 1, 1n);
    const created: SegmentInfo[] = [];
    const writer = new SegmentWriter(d, 'general', fd, info, 8192, (s) => created.push(s));
    for (let i = 0; i < 40; i++) {
      const p = await writer.write(encodeFrame(BigInt(i + 1), 0n, new Uint8Array(1000)), BigInt(i + 1));
      p.segment.count += 1; // what the journal's index does on commit
    }
    expect(created.length).toBeGreaterThanOrEqual(4);
    expect(readdirSync(d).sort()[0]).toBe('0000000001.seg');
    expect(created[0]!.firstId).toBeGreaterThan(1n);
    await writer.close();
  });

  test('test_reject_failed_write: every queued frame is refused and the ids after the last durable one are handed back', async () => {
    const d = dir();
    const { fd, info } = createSegmentSync(d, 'audit', 1, 1n);
    closeSync(fd);
    const readOnly = openSync(info.path, 'r');
    const writer = new SegmentWriter(d, 'audit', readOnly, info, 1 << 20, () => undefined);
    const failures: (bigint | undefined)[] = [];
    writer.onFailure = (last) => failures.push(last);
    const results = await Promise.allSettled([1n, 2n, 3n].map((id) => writer.write(encodeFrame(id, 0n, new Uint8Array(4)), id)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(failures).toEqual([undefined]);
    await writer.close();
  });
});
