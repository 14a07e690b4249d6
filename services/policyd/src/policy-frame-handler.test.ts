import { AuditChain, AuditSink, parseRecordLine, verifyChain, type AuditRecord, type AuditTransport } from '@nexus/audit';
import { FrameReader, serviceIdFromName } from '@nexus/ipc';
import { encodePolicyRequest, PO_STATUS, type PolicyRequest } from '@nexus/proto';
import { compilePolicy, type Policy } from '@nexus/sel';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PolicyFrameHandler } from './policy-frame-handler.js';

const POLICY_TEXT = `[allow]
keystored = ["ipc.core", "crypto.sign", "policy.delegate"]
selftest-client = ["ipc.core", "ipc.route", "proc.spawn"]
init-lite = ["ipc.route", "policy.delegate"]
bundlemgrd = ["ipc.route"]
logd = ["ipc.core"]

[deny]
bundlemgrd = ["ipc.route@execd"]

[restrict]
"ipc.route" = ["execd"]
`;
const policy: Policy = compilePolicy([{ path: 'test.toml', text: POLICY_TEXT }]);

const ID = {
  keystored: serviceIdFromName('keystored'),
  selftest: serviceIdFromName('selftest-client'),
  initLite: serviceIdFromName('init-lite'),
  bundlemgrd: serviceIdFromName('bundlemgrd'),
  execd: serviceIdFromName('execd'),
  logd: serviceIdFromName('logd'),
  nobody: serviceIdFromName('demo.testsvc'),
};

interface Rig {
  readonly handler: PolicyFrameHandler;
  readonly sink: AuditSink;
  readonly chain: AuditChain;
  /** Records in the order they were chained (primary and UART alike). */
  readonly records: AuditRecord[];
  readonly uart: string[];
}

/** A handler over a real chain and sink whose primary accepts every record at once. */
function rig(primary: 'accept' | 'refuse' = 'accept', uartBudget = 64): Rig {
  const records: AuditRecord[] = [];
  const uart: string[] = [];
  const transport: AuditTransport = {
    offer: (record) => {
      records.push(record);
      return primary === 'accept' ? Promise.resolve(true) : false;
    },
  };
  let clock = 0n;
  const now = (): bigint => (clock += 1000n);
  const chain = new AuditChain({ policyVersion: policy.version });
  const sink = new AuditSink({ chain, primary: transport, uart: {
      write: (line) => {
        uart.push(line);
        records.push(parseRecordLine(line));
      },
    }, uartBudget, now });
  return { handler: new PolicyFrameHandler({ policy, sink, now }), sink, chain, records, uart };
}

const decisions = (r: Rig): AuditRecord[] => r.records.filter((rec) => rec.kind === 'decision');

/** Bytes from hex (spaces ignored) and ASCII text parts: the golden layouts, written out. */
function bytes(...parts: (string | { text: string })[]): Uint8Array {
  let hex = '';
  for (const part of parts) {
    hex += typeof part === 'string' ? part.replaceAll(' ', '') : Buffer.from(part.text, 'ascii').toString('hex');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

const KEYSTORED_LE = '1b842ab0f1ec6c86';
const SELFTEST_LE = '693ffb4fa3c4c652';
const LOGD_LE = '6f4cec70ade807ce';
const EXECD_LE = '28c000601296607b';

describe(PolicyFrameHandler, () => {
  describe('golden request and reply bytes', () => {
    const cases: { name: string; sender: bigint; frame: Uint8Array; reply: Uint8Array; request: PolicyRequest }[] = [
      {
        name: 'v1 CHECK keystored',
        sender: ID.keystored,
        frame: bytes('504f0101 09', { text: 'keystored' }),
        reply: bytes('504f0181 0000'),
        request: { version: 1, op: 1, name: 'keystored' },
      },
      {
        name: 'v1 ROUTE selftest-client→logd',
        sender: ID.selftest,
        frame: bytes('504f0102 0f', { text: 'selftest-client' }, '04', { text: 'logd' }),
        reply: bytes('504f0182 0000'),
        request: { version: 1, op: 2, requester: 'selftest-client', target: 'logd' },
      },
      {
        name: 'v2 ROUTE selftest-client→logd nonce 0x01020304',
        sender: ID.selftest,
        frame: bytes('504f0202 04030201 0f', { text: 'selftest-client' }, '04', { text: 'logd' }),
        reply: bytes('504f0282 04030201 0000'),
        request: { version: 2, op: 2, nonce: 0x01020304, requester: 'selftest-client', target: 'logd' },
      },
      {
        name: 'v3 ROUTE selftest-client→logd by id',
        sender: ID.selftest,
        frame: bytes('504f0302 0a000000', SELFTEST_LE, LOGD_LE),
        reply: bytes('504f0382 0a000000 0000'),
        request: { version: 3, op: 2, nonce: 10, requesterId: ID.selftest, targetId: ID.logd },
      },
      {
        name: 'v1 EXEC selftest-client image 7',
        sender: ID.selftest,
        frame: bytes('504f0103 0f', { text: 'selftest-client' }, '07'),
        reply: bytes('504f0183 0000'),
        request: { version: 1, op: 3, requester: 'selftest-client', imageId: 7 },
      },
      {
        name: 'v2 EXEC selftest-client image 7 nonce 0xffffffff',
        sender: ID.selftest,
        frame: bytes('504f0203 ffffffff 0f', { text: 'selftest-client' }, '07'),
        reply: bytes('504f0283 ffffffff 0000'),
        request: { version: 2, op: 3, nonce: 0xffffffff, requester: 'selftest-client', imageId: 7 },
      },
      {
        name: 'v3 EXEC selftest-client image 7 by id',
        sender: ID.selftest,
        frame: bytes('504f0303 01000000', SELFTEST_LE, '07'),
        reply: bytes('504f0383 01000000 0000'),
        request: { version: 3, op: 3, nonce: 1, requesterId: ID.selftest, imageId: 7 },
      },
      {
        name: 'v1 CHECK_CAP keystored crypto.sign',
        sender: ID.keystored,
        frame: bytes('504f0104', KEYSTORED_LE, '0b', { text: 'crypto.sign' }),
        reply: bytes('504f0184 0000'),
        request: { version: 1, op: 4, subjectId: ID.keystored, cap: 'crypto.sign' },
      },
      {
        name: 'v1 CHECK_CAP_DELEGATED keystored asks about selftest-client crypto.sign',
        sender: ID.keystored,
        frame: bytes('504f0105', SELFTEST_LE, '0b', { text: 'crypto.sign' }),
        reply: bytes('504f0185 0100'),
        request: { version: 1, op: 5, subjectId: ID.selftest, cap: 'crypto.sign' },
      },
      {
        name: 'v2 CHECK_CAP_DELEGATED keystored asks about itself nonce 5',
        sender: ID.keystored,
        frame: bytes('504f0205 05000000', KEYSTORED_LE, '0b', { text: 'crypto.sign' }),
        reply: bytes('504f0285 05000000 0000'),
        request: { version: 2, op: 5, nonce: 5, subjectId: ID.keystored, cap: 'crypto.sign' },
      },
      {
        name: 'v2 VERSION nonce 9',
        sender: ID.nobody,
        frame: bytes('504f0207 09000000'),
        reply: bytes('504f0287 09000000 0000', (policy.version.length).toString(16), { text: policy.version }),
        request: { version: 2, op: 7, nonce: 9 },
      },
    ];
    for (const c of cases) {
      test(c.name, () => {
        expect(encodePolicyRequest(c.request)).toEqual(c.frame);
        const r = rig();
        expect(r.handler.handlePolicyFrame(c.sender, c.frame)).toEqual(c.reply);
        expect(decisions(r)).toHaveLength(1);
      });
    }

    test('status bytes: MALFORMED, UNSUPPORTED and TOO_LARGE replies', () => {
      const r = rig();
      expect(r.handler.handlePolicyFrame(ID.selftest, bytes('504f0101 00'))).toEqual(bytes('504f0181 0200'));
      expect(r.handler.handlePolicyFrame(ID.selftest, bytes('504f0209 07000000'))).toEqual(bytes('504f0289 07000000 0300'));
      expect(r.handler.handlePolicyFrame(ID.selftest, new Uint8Array(513))).toEqual(bytes('504f0180 0400'));
    });
  });

  describe('test_reject_forged_service_id', () => {
    // selftest-client holds no policy.delegate; every frame claims keystored, who holds everything asked.
    const forged: { name: string; request: PolicyRequest }[] = [
      { name: 'v1 CHECK', request: { version: 1, op: 1, name: 'keystored' } },
      { name: 'v1 ROUTE', request: { version: 1, op: 2, requester: 'keystored', target: 'logd' } },
      { name: 'v2 ROUTE', request: { version: 2, op: 2, nonce: 3, requester: 'keystored', target: 'logd' } },
      { name: 'v3 ROUTE', request: { version: 3, op: 2, nonce: 3, requesterId: ID.keystored, targetId: ID.logd } },
      { name: 'v1 EXEC', request: { version: 1, op: 3, requester: 'keystored', imageId: 1 } },
      { name: 'v2 EXEC', request: { version: 2, op: 3, nonce: 3, requester: 'keystored', imageId: 1 } },
      { name: 'v3 EXEC', request: { version: 3, op: 3, nonce: 3, requesterId: ID.keystored, imageId: 1 } },
      { name: 'v1 CHECK_CAP', request: { version: 1, op: 4, subjectId: ID.keystored, cap: 'crypto.sign' } },
      { name: 'v1 CHECK_CAP_DELEGATED', request: { version: 1, op: 5, subjectId: ID.keystored, cap: 'crypto.sign' } },
      { name: 'v2 CHECK_CAP_DELEGATED', request: { version: 2, op: 5, nonce: 3, subjectId: ID.keystored, cap: 'crypto.sign' } },
      { name: 'v3 CHECK_CAP_DELEGATED', request: { version: 3, op: 5, nonce: 3, subjectId: ID.keystored, targetId: ID.logd, cap: 'crypto.sign' } },
    ];
    for (const { name, request } of forged) {
      test(`${name} claiming keystored from demo.testsvc`, () => {
        const r = rig();
        const reply = r.handler.handlePolicyFrame(ID.nobody, encodePolicyRequest(request));
        expect(reply.at(-2)).toBe(PO_STATUS.DENY);
        const [record] = decisions(r);
        expect(record).toMatchObject({
          decision: 'deny',
          reason: 'identity-mismatch',
          senderId: ID.nobody,
          subjectId: ID.nobody,
          claimedId: ID.keystored,
        });
      });
    }

    test('the same frame from keystored itself is judged about keystored', () => {
      const r = rig();
      const reply = r.handler.handlePolicyFrame(ID.keystored, encodePolicyRequest({ version: 1, op: 1, name: 'keystored' }));
      expect(reply.at(-2)).toBe(PO_STATUS.ALLOW);
      expect(decisions(r)[0]).toMatchObject({ reason: 'policy-allow', subjectId: ID.keystored, claimedId: ID.keystored });
    });

    test('a name differing only in case is another identity', () => {
      const r = rig();
      const reply = r.handler.handlePolicyFrame(ID.selftest, encodePolicyRequest({ version: 1, op: 1, name: 'Selftest-Client' }));
      expect(reply.at(-2)).toBe(PO_STATUS.DENY);
      expect(decisions(r)[0]?.reason).toBe('identity-mismatch');
    });
  });

  describe('delegation', () => {
    test('allowed: init-lite (holds policy.delegate) asks ROUTE v3 for selftest-client', () => {
      const r = rig();
      const frame = encodePolicyRequest({ version: 3, op: 2, nonce: 1, requesterId: ID.selftest, targetId: ID.logd });
      expect(r.handler.handlePolicyFrame(ID.initLite, frame).at(-2)).toBe(PO_STATUS.ALLOW);
      expect(decisions(r)[0]).toMatchObject({ senderId: ID.initLite, subjectId: ID.selftest, target: 'logd', op: 'route' });
    });

    test("the delegate gets the subject's answer, not its own: bundlemgrd may not route to execd", () => {
      const r = rig();
      const frame = encodePolicyRequest({ version: 3, op: 2, nonce: 1, requesterId: ID.bundlemgrd, targetId: ID.execd });
      expect(r.handler.handlePolicyFrame(ID.initLite, frame).at(-2)).toBe(PO_STATUS.DENY);
      expect(decisions(r)[0]).toMatchObject({ subjectId: ID.bundlemgrd, reason: 'deny-rule', rule: 'test.toml:9' });
    });

    test('v3 CHECK_CAP_DELEGATED carries a target: [restrict] applies and the record names the target', () => {
      const r = rig();
      const ask = (targetId: bigint): number | undefined =>
        r.handler.handlePolicyFrame(ID.keystored, encodePolicyRequest({ version: 3, op: 5, nonce: 3, subjectId: ID.selftest, targetId, cap: 'ipc.route' })).at(-2);
      expect(ask(ID.execd)).toBe(PO_STATUS.DENY);
      expect(ask(ID.logd)).toBe(PO_STATUS.ALLOW);
      expect(ask(0x1234n)).toBe(PO_STATUS.ALLOW);
      expect(decisions(r).map((d) => [d.op, d.subjectId, d.target, d.decision])).toEqual([
        ['check_cap_delegated', ID.selftest, 'execd', 'deny'],
        ['check_cap_delegated', ID.selftest, 'logd', 'allow'],
        ['check_cap_delegated', ID.selftest, '0x0000000000001234', 'allow'],
      ]);
    });

    test('denied: bundlemgrd (no policy.delegate) asks CHECK_CAP_DELEGATED about keystored', () => {
      const r = rig();
      const frame = encodePolicyRequest({ version: 2, op: 5, nonce: 2, subjectId: ID.keystored, cap: 'crypto.sign' });
      expect(r.handler.handlePolicyFrame(ID.bundlemgrd, frame).at(-2)).toBe(PO_STATUS.DENY);
      expect(decisions(r)[0]).toMatchObject({ subjectId: ID.bundlemgrd, claimedId: ID.keystored, reason: 'identity-mismatch' });
    });
  });

  describe('test_reject_unpolicied_operation', () => {
    const cases: { name: string; sender: bigint; request: PolicyRequest }[] = [
      { name: 'CHECK_CAP of a capability nobody holds', sender: ID.keystored, request: { version: 1, op: 4, subjectId: ID.keystored, cap: 'debug.dump' } },
      { name: 'CHECK of a service without ipc.core', sender: ID.nobody, request: { version: 1, op: 1, name: 'demo.testsvc' } },
      { name: 'EXEC by a service without proc.spawn', sender: ID.keystored, request: { version: 1, op: 3, requester: 'keystored', imageId: 1 } },
      { name: 'ROUTE to a restricted target without a targeted grant', sender: ID.selftest, request: { version: 1, op: 2, requester: 'selftest-client', target: 'execd' } },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const r = rig();
        expect(r.handler.handlePolicyFrame(c.sender, encodePolicyRequest(c.request)).at(-2)).toBe(PO_STATUS.DENY);
        expect(decisions(r)[0]).toMatchObject({ decision: 'deny', reason: 'no-rule' });
        expect(decisions(r)[0]?.rule).toBeUndefined();
      });
    }

    test('a v3 target id the policy does not know is judged by untargeted rules only', () => {
      const r = rig();
      const unknown = 0x1234n;
      const frame = encodePolicyRequest({ version: 3, op: 2, nonce: 1, requesterId: ID.selftest, targetId: unknown });
      expect(r.handler.handlePolicyFrame(ID.selftest, frame).at(-2)).toBe(PO_STATUS.ALLOW);
      expect(decisions(r)[0]?.target).toBe('0x0000000000001234');
    });
  });

  describe('test_reject_oversized_policy_query', () => {
    const cases: { name: string; frame: Uint8Array; status: number }[] = [
      { name: 'name of 0 bytes', frame: bytes('504f0101 00'), status: PO_STATUS.MALFORMED },
      { name: 'name of 49 bytes', frame: bytes('504f0101 31', { text: 'a'.repeat(49) }), status: PO_STATUS.MALFORMED },
      { name: 'requester of 49 bytes', frame: bytes('504f0102 31', { text: 'a'.repeat(49) }, '01', { text: 'b' }), status: PO_STATUS.MALFORMED },
      { name: 'target of 49 bytes', frame: bytes('504f0102 01', { text: 'a' }, '31', { text: 'b'.repeat(49) }), status: PO_STATUS.MALFORMED },
      { name: 'capability of 49 bytes', frame: bytes('504f0104', KEYSTORED_LE, '31', { text: 'c'.repeat(49) }), status: PO_STATUS.MALFORMED },
      { name: 'v3 ROUTE of 25 bytes', frame: bytes('504f0302 01000000', SELFTEST_LE, EXECD_LE, '00'), status: PO_STATUS.MALFORMED },
      { name: 'frame of 513 bytes', frame: new Uint8Array(513).fill(0x50), status: PO_STATUS.TOO_LARGE },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const r = rig();
        expect(r.handler.handlePolicyFrame(ID.keystored, c.frame).at(-2)).toBe(c.status);
        expect(decisions(r)).toHaveLength(1);
        expect(decisions(r)[0]).toMatchObject({ decision: 'deny', reason: c.status === PO_STATUS.TOO_LARGE ? 'too-large' : 'malformed' });
      });
    }

    test('a capability of 48 bytes is within bounds', () => {
      const r = rig();
      const frame = encodePolicyRequest({ version: 1, op: 4, subjectId: ID.keystored, cap: 'c'.repeat(48) });
      expect(r.handler.handlePolicyFrame(ID.keystored, frame).at(-2)).toBe(PO_STATUS.DENY);
      expect(decisions(r)[0]?.reason).toBe('no-rule');
    });
  });

  test('nonce echo: every v2/v3 reply carries its own request nonce', () => {
    const r = rig();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (nonce) => {
        const reply = r.handler.handlePolicyFrame(ID.selftest, encodePolicyRequest({ version: 2, op: 3, nonce, requester: 'selftest-client', imageId: 1 }));
        const rd = new FrameReader(reply);
        rd.bytes(4);
        return rd.u32() === nonce;
      }),
    );
  });

  test('VERSION is answered with the policy version and audited', () => {
    const r = rig();
    const reply = r.handler.handlePolicyFrame(ID.nobody, encodePolicyRequest({ version: 2, op: 7, nonce: 1 }));
    const rd = new FrameReader(reply);
    rd.bytes(10);
    expect(rd.str8()).toBe(policy.version);
    expect(decisions(r)[0]).toMatchObject({ op: 'version', decision: 'allow', subjectId: ID.nobody });
  });

  test('nothing can record: the reply is DENY and the loss is counted once', () => {
    const r = rig('refuse', 0);
    const frame = encodePolicyRequest({ version: 1, op: 1, name: 'keystored' });
    expect(r.handler.handlePolicyFrame(ID.keystored, frame)).toEqual(bytes('504f0181 0100'));
    const version = encodePolicyRequest({ version: 2, op: 7, nonce: 4 });
    expect(r.handler.handlePolicyFrame(ID.keystored, version)).toEqual(bytes('504f0287 04000000 0100 00'));
    expect(r.sink.stats()).toMatchObject({ decisions: 2n, lostDecisions: 2n });
  });

  test('a sink that throws records nothing: the reply is DENY', () => {
    const handler = new PolicyFrameHandler({
      policy,
      sink: { record: () => { throw new Error('sink down'); } },
      now: () => 0n,
    });
    expect(handler.handlePolicyFrame(ID.keystored, encodePolicyRequest({ version: 1, op: 1, name: 'keystored' }))).toEqual(bytes('504f0181 0100'));
  });

  test('records carry rule file:line, version, nonce and op as decoded', () => {
    const r = rig();
    r.handler.handlePolicyFrame(ID.keystored, encodePolicyRequest({ version: 2, op: 5, nonce: 77, subjectId: ID.keystored, cap: 'crypto.sign' }));
    r.handler.handlePolicyFrame(ID.keystored, bytes('504f0105 4d000000'));
    const [allow, unsupported] = decisions(r);
    expect(allow).toMatchObject({
      op: 'check_cap_delegated', action: 'crypto.sign', rule: 'test.toml:2', policyVersion: policy.version, nonce: 77n, decision: 'allow',
    });
    expect(unsupported).toMatchObject({ op: 'check_cap_delegated', reason: 'malformed', action: '', decision: 'deny' });
  });

  test('fuzz: random bytes and valid-ish frames never throw, always get a PO reply and exactly one record', async () => {
    const r = rig();
    const name = fc.oneof(fc.constantFrom('keystored', 'selftest-client', 'init-lite', 'execd', 'Keystored'), fc.string({ minLength: 1, maxLength: 48 }));
    const id = fc.oneof(fc.constantFrom(...Object.values(ID)), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
    const nonce = fc.integer({ min: 0, max: 0xffffffff });
    const image = fc.integer({ min: 0, max: 255 });
    const request: fc.Arbitrary<PolicyRequest> = fc.oneof(
      fc.record({ version: fc.constant(1 as const), op: fc.constant(1 as const), name }),
      fc.record({ version: fc.constant(1 as const), op: fc.constant(2 as const), requester: name, target: name }),
      fc.record({ version: fc.constant(2 as const), op: fc.constant(2 as const), nonce, requester: name, target: name }),
      fc.record({ version: fc.constant(3 as const), op: fc.constant(2 as const), nonce, requesterId: id, targetId: id }),
      fc.record({ version: fc.constant(2 as const), op: fc.constant(3 as const), nonce, requester: name, imageId: image }),
      fc.record({ version: fc.constant(3 as const), op: fc.constant(3 as const), nonce, requesterId: id, imageId: image }),
      fc.record({ version: fc.constant(1 as const), op: fc.constant(4 as const), subjectId: id, cap: name }),
      fc.record({ version: fc.constant(2 as const), op: fc.constant(5 as const), nonce, subjectId: id, cap: name }),
      fc.record({ version: fc.constant(2 as const), op: fc.constant(7 as const), nonce }),
    );
    const encoded = request.chain((req) => {
      try {
        return fc.constant(encodePolicyRequest(req));
      } catch {
        return fc.constant(new Uint8Array(0));
      }
    });
    // Valid frames, with one byte flipped, truncated, or extended: close to every decoding edge.
    const mutated = fc.tuple(encoded, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'grow', 'keep')).map(
      ([frame, at, value, how]) => {
        if (frame.length === 0 || how === 'keep') return frame;
        const i = at % frame.length;
        if (how === 'cut') return frame.slice(0, i);
        if (how === 'grow') return Uint8Array.from([...frame, value]);
        const copy = frame.slice();
        copy[i] = value;
        return copy;
      },
    );
    const frames = fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.values(ID)), frames, async (sender, frame) => {
        const before = r.sink.stats().decisions;
        const reply = r.handler.handlePolicyFrame(sender, frame);
        expect(r.sink.stats().decisions).toBe(before + 1n);
        const rd = new FrameReader(reply);
        expect([...rd.bytes(2)]).toEqual([0x50, 0x4f]);
        const version = rd.u8();
        expect([1, 2, 3]).toContain(version);
        expect(rd.u8() & 0x80).toBe(0x80);
        if (version !== 1) rd.u32();
        expect(rd.u8()).toBeLessThanOrEqual(PO_STATUS.TOO_LARGE);
        expect(rd.u8()).toBe(0);
        if (rd.remaining > 0) rd.str8(96);
        rd.end();
        await r.sink.flush();
      }),
      { numRuns: 1000 },
    );
    expect(verifyChain(r.records)).toMatchObject({ ok: true });
    expect(decisions(r)).toHaveLength(1000);
  });
});

describe('fair share of the audit fallback (issue #13)', () => {
  test('test_reject_one_subject_spends_every_uart_line: past its share its allows are DENY audit-unavailable, recorded; others still allowed', async () => {
    const r = rig('accept', 4);
    const version = (n: number): Uint8Array => encodePolicyRequest({ version: 2, op: 7, nonce: n });
    const statusOf = (reply: Uint8Array): number => reply[8] as number; // after the v2 u32 nonce
    // Synchronously, before any confirmation settles: each allow holds a UART line while in flight.
    const flood = [1, 2, 3, 4].map((n) => statusOf(r.handler.handlePolicyFrame(ID.nobody, version(n))));
    expect(flood).toEqual([PO_STATUS.ALLOW, PO_STATUS.ALLOW, PO_STATUS.DENY, PO_STATUS.DENY]);
    expect(statusOf(r.handler.handlePolicyFrame(ID.selftest, version(5)))).toBe(PO_STATUS.ALLOW);
    await r.sink.flush();
    const recorded = decisions(r).map((d) => [d.subjectId, d.decision, d.reason]);
    expect(recorded).toEqual([
      [ID.nobody, 'allow', 'policy-allow'], [ID.nobody, 'allow', 'policy-allow'],
      [ID.nobody, 'deny', 'audit-unavailable'], [ID.nobody, 'deny', 'audit-unavailable'],
      [ID.selftest, 'allow', 'policy-allow'],
    ]);
    expect(r.sink.stats().lostDecisions).toBe(0n);
    // Confirmed: the share is back.
    expect(statusOf(r.handler.handlePolicyFrame(ID.nobody, version(6)))).toBe(PO_STATUS.ALLOW);
  });
});
