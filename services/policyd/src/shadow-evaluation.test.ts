import { AuditChain, AuditSink, type AuditRecord, type AuditTransport } from '@nexus/audit';
import { Kernel, serviceIdFromName } from '@nexus/ipc';
import { encodePolicyRequest, PO_STATUS, type PolicyRequest } from '@nexus/proto';
import { compilePolicy, PolicyError, type Policy } from '@nexus/sel';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PolicyFrameHandler } from './policy-frame-handler.js';
import { startPolicyd } from './start-policyd.js';

const ACTIVE = `[allow]
"selftest-client" = ["audit.read", "ipc.core", "log.read"]
keystored = ["policy.delegate"]
[deny]
"*" = ["debug.*"]
`;
const active = compilePolicy([{ path: 'a.toml', text: ACTIVE }]);
const dropped = compilePolicy([{ path: 'c.toml', text: ACTIVE.replace('"audit.read", ', '') }]);
const added = compilePolicy([{ path: 'c.toml', text: ACTIVE.replace('"log.read"', '"log.read", "crypto.sign"') }]);
const noDelegate = compilePolicy([{ path: 'c.toml', text: ACTIVE.replace('keystored = ["policy.delegate"]', '') }]);

const CLIENT = serviceIdFromName('selftest-client');
const KEYSTORED = serviceIdFromName('keystored');

function rig(shadow: Policy | undefined): { handler: PolicyFrameHandler; records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  const primary: AuditTransport = { offer: (record) => (records.push(record), Promise.resolve(true)) };
  let clock = 0n;
  const now = (): bigint => (clock += 1000n);
  const sink = new AuditSink({ chain: new AuditChain({ policyVersion: active.version }), primary, uart: { write: () => undefined }, uartBudget: 8, now });
  return { handler: new PolicyFrameHandler({ policy: active, sink, now, ...(shadow === undefined ? {} : { shadow }) }), records };
}

const cap = (subjectId: bigint, c: string, nonce = 1): PolicyRequest => ({ version: 2, op: 5, nonce, subjectId, cap: c } as PolicyRequest);
const statusOf = (reply: Uint8Array): number | undefined => reply[reply.length - 2];

describe('shadow evaluation in policyd', () => {
  const CASES: { name: string; shadow: Policy; sender: bigint; request: PolicyRequest; status: number; shadowed: AuditRecord['shadow'] }[] = [
    { name: 'a candidate that drops a grant: still ALLOW, the record carries deny no-rule', shadow: dropped, sender: CLIENT, request: cap(CLIENT, 'audit.read'), status: PO_STATUS.ALLOW, shadowed: { decision: 'deny', reason: 'no-rule', policyVersion: dropped.version } },
    { name: 'a candidate that adds a grant: still DENY, the record carries allow', shadow: added, sender: CLIENT, request: cap(CLIENT, 'crypto.sign'), status: PO_STATUS.DENY, shadowed: { decision: 'allow', reason: 'policy-allow', policyVersion: added.version } },
    { name: 'a candidate that drops delegation: the delegated question diverges as identity-mismatch', shadow: noDelegate, sender: KEYSTORED, request: cap(CLIENT, 'ipc.core'), status: PO_STATUS.ALLOW, shadowed: { decision: 'deny', reason: 'identity-mismatch', policyVersion: noDelegate.version } },
    { name: 'a question both decide alike: no shadow on the record', shadow: dropped, sender: CLIENT, request: cap(CLIENT, 'log.read'), status: PO_STATUS.ALLOW, shadowed: undefined },
    { name: 'a [deny] in both: no shadow on the record', shadow: dropped, sender: CLIENT, request: cap(CLIENT, 'debug.shell'), status: PO_STATUS.DENY, shadowed: undefined },
  ];
  for (const c of CASES) {
    test(c.name, () => {
      const r = rig(c.shadow);
      expect(statusOf(r.handler.handlePolicyFrame(c.sender, encodePolicyRequest(c.request)))).toBe(c.status);
      expect(r.records).toHaveLength(1);
      expect(r.records[0]?.shadow).toEqual(c.shadowed);
    });
  }

  test('VERSION and frames that do not decode put no question to the shadow', () => {
    const r = rig(dropped);
    r.handler.handlePolicyFrame(CLIENT, encodePolicyRequest({ version: 2, op: 7, nonce: 1 } as PolicyRequest));
    r.handler.handlePolicyFrame(CLIENT, Uint8Array.from([0x50, 0x4f, 0x02, 0x05, 1]));
    expect(r.records.map((rec) => rec.shadow)).toEqual([undefined, undefined]);
  });

  const CAPS = ['audit.read', 'ipc.core', 'log.read', 'crypto.sign', 'debug.shell', 'policy.delegate'];
  const requestArb = fc.record({
    sender: fc.constantFrom(CLIENT, KEYSTORED, serviceIdFromName('nobody')),
    subject: fc.constantFrom(CLIENT, KEYSTORED, serviceIdFromName('nobody')),
    cap: fc.constantFrom(...CAPS),
    nonce: fc.integer({ min: 0, max: 0xffffffff }),
    cut: fc.integer({ min: 0, max: 3 }),
  });

  test('the shadow never changes an answer, and records differ only in the shadow field and so the hashes (property)', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { maxLength: 12 }), fc.constantFrom(dropped, added, noDelegate), (requests, shadow) => {
        const plain = rig(undefined);
        const shadowed = rig(shadow);
        for (const q of requests) {
          const frame = encodePolicyRequest(cap(q.subject, q.cap, q.nonce));
          const bytes = frame.subarray(0, frame.length - (q.cut === 3 ? 1 : 0));
          expect(shadowed.handler.handlePolicyFrame(q.sender, bytes)).toEqual(plain.handler.handlePolicyFrame(q.sender, bytes));
        }
        const strip = ({ shadow: _s, hash: _h, prevHash: _p, ...rest }: AuditRecord): object => rest;
        expect(shadowed.records.map(strip)).toEqual(plain.records.map(strip));
        for (const rec of shadowed.records) {
          if (rec.shadow !== undefined) expect([rec.shadow.decision, rec.shadow.reason]).not.toEqual([rec.decision, rec.reason]);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('startPolicyd({ shadow })', () => {
  test('a compiled candidate: the handle names its version; the active version is unchanged', () => {
    const handle = startPolicyd(new Kernel(), { policy: active, shadow: dropped, console: { write: () => undefined } });
    expect(handle.version).toBe(active.version);
    expect(handle.shadowVersion).toBe(dropped.version);
  });

  test('no shadow: no shadow version', () => {
    expect(startPolicyd(new Kernel(), { policy: active, console: { write: () => undefined } }).shadowVersion).toBeUndefined();
  });

  test('test_reject_shadow_dir_broken: a candidate directory that does not compile throws its PolicyError before policyd starts', () => {
    const kernel = new Kernel();
    expect(() => startPolicyd(kernel, { policy: active, shadow: '/nonexistent-shadow-dir', console: { write: () => undefined } })).toThrow(PolicyError);
  });

  test('test_reject_shadow_not_a_policy', () => {
    expect(() => startPolicyd(new Kernel(), { policy: active, shadow: {} as unknown as Policy, console: { write: () => undefined } })).toThrow(/shadow must be/);
  });
});
