import { AuditChain, AuditSink, type AuditRecord, type AuditTransport } from '@nexus/audit';
import { serviceIdFromName } from '@nexus/ipc';
import { encodePolicyRequest, PO_STATUS, type PolicyRequest } from '@nexus/proto';
import { compilePolicy, type Policy } from '@nexus/sel';
import { describe, expect, test } from 'vitest';
import { PolicyFrameHandler } from './policy-frame-handler.js';

const POLICY = `[allow]
"demo.testsvc" = ["fs.read"]
keystored = ["policy.delegate"]
logd = ["ipc.core"]
[deny]
"demo.testsvc" = ["debug.dump"]
[restrict]
"bundle.install" = ["keystored"]
[mode]
"demo.testsvc" = "learn"
`;

const DEMO = serviceIdFromName('demo.testsvc');
const KEYSTORED = serviceIdFromName('keystored');
const LOGD = serviceIdFromName('logd');

/** A handler over a real chain whose primary keeps every record. */
function rig(policy: Policy): { handler: PolicyFrameHandler; records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  const primary: AuditTransport = { offer: (record) => (records.push(record), Promise.resolve(true)) };
  let clock = 0n;
  const now = (): bigint => (clock += 1000n);
  const sink = new AuditSink({ chain: new AuditChain({ policyVersion: policy.version }), primary, uart: { write: () => undefined }, uartBudget: 8, now });
  return { handler: new PolicyFrameHandler({ policy, sink, now }), records };
}

const statusOf = (reply: Uint8Array): number | undefined => reply[reply.length - 2];
const capFor = (subjectId: bigint, cap: string): PolicyRequest => ({ version: 1, op: 4, subjectId, cap } as PolicyRequest);

describe('learn mode in policyd', () => {
  const policy = compilePolicy([{ path: 'p.toml', text: POLICY }]);

  const CASES: { name: string; sender: bigint; request: PolicyRequest; status: number; record: Partial<AuditRecord> }[] = [
    { name: 'an ungranted capability: answered ALLOW, recorded as a would-deny', sender: DEMO, request: capFor(DEMO, 'crypto.sign'), status: PO_STATUS.ALLOW, record: { decision: 'deny', reason: 'no-rule', mode: 'learn' } },
    { name: 'a granted capability: ALLOW, recorded allow with mode=learn', sender: DEMO, request: capFor(DEMO, 'fs.read'), status: PO_STATUS.ALLOW, record: { decision: 'allow', reason: 'policy-allow', mode: 'learn' } },
    { name: 'a [deny] rule stays DENY', sender: DEMO, request: capFor(DEMO, 'debug.dump'), status: PO_STATUS.DENY, record: { decision: 'deny', reason: 'deny-rule', mode: 'learn' } },
    { name: 'an identity mismatch stays DENY', sender: DEMO, request: capFor(LOGD, 'crypto.sign'), status: PO_STATUS.DENY, record: { decision: 'deny', reason: 'identity-mismatch', mode: 'learn', subjectId: DEMO } },
    {
      name: 'a restricted target stays DENY',
      sender: KEYSTORED,
      request: { version: 3, op: 5, nonce: 2, subjectId: DEMO, cap: 'bundle.install', targetId: KEYSTORED } as PolicyRequest,
      status: PO_STATUS.DENY,
      record: { decision: 'deny', reason: 'no-rule', mode: 'learn', subjectId: DEMO, target: 'keystored' },
    },
    {
      name: 'an unrestricted target of a learn-mode subject asked by a delegate: ALLOW, would-deny',
      sender: KEYSTORED,
      request: { version: 3, op: 5, nonce: 3, subjectId: DEMO, cap: 'bundle.install', targetId: LOGD } as PolicyRequest,
      status: PO_STATUS.ALLOW,
      record: { decision: 'deny', reason: 'no-rule', mode: 'learn', subjectId: DEMO },
    },
    { name: 'a subject in enforce mode: DENY, no mode on the record', sender: LOGD, request: capFor(LOGD, 'crypto.sign'), status: PO_STATUS.DENY, record: { decision: 'deny', reason: 'no-rule', mode: undefined } },
  ];

  for (const c of CASES) {
    test(c.name, () => {
      const r = rig(policy);
      const reply = r.handler.handlePolicyFrame(c.sender, encodePolicyRequest(c.request));
      expect(statusOf(reply)).toBe(c.status);
      expect(r.records).toHaveLength(1);
      expect(r.records[0]).toMatchObject(c.record);
      if (c.record.mode === undefined) expect(r.records[0]?.mode).toBeUndefined();
    });
  }

  test('a malformed or unsupported request stays DENY/MALFORMED, recorded with the mode', () => {
    const r = rig(policy);
    const bad = encodePolicyRequest(capFor(DEMO, 'crypto.sign'));
    const truncated = bad.subarray(0, bad.length - 1);
    expect(statusOf(r.handler.handlePolicyFrame(DEMO, truncated))).not.toBe(PO_STATUS.ALLOW);
    const unsupported = Uint8Array.from([0x50, 0x4f, 0x02, 0x09, 1, 0, 0, 0]);
    expect(statusOf(r.handler.handlePolicyFrame(DEMO, unsupported))).not.toBe(PO_STATUS.ALLOW);
    expect(r.records.map((rec) => [rec.decision, rec.mode])).toEqual([['deny', 'learn'], ['deny', 'learn']]);
  });

  test('test_reject_trusted_base_learn: even a policy object claiming learn mode for the base is answered in enforce', () => {
    const claims: Policy = new Proxy(compilePolicy([{ path: 'p.toml', text: '[allow]\nlogd = ["ipc.core"]\n[mode]\n"demo.testsvc" = "learn"\n' }]), {
      get(target, key, receiver) {
        if (key === 'modeOf') return (): 'learn' => 'learn';
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const r = rig(claims);
    expect(statusOf(r.handler.handlePolicyFrame(LOGD, encodePolicyRequest(capFor(LOGD, 'crypto.sign'))))).toBe(PO_STATUS.DENY);
    expect(r.records[0]?.mode).toBeUndefined();
  });

  test('a policy without learn mode records no mode at all', () => {
    const r = rig(compilePolicy([{ path: 'p.toml', text: '[allow]\n"demo.testsvc" = ["fs.read"]\n' }]));
    expect(statusOf(r.handler.handlePolicyFrame(DEMO, encodePolicyRequest(capFor(DEMO, 'crypto.sign'))))).toBe(PO_STATUS.DENY);
    expect(r.records[0]?.mode).toBeUndefined();
  });
});
