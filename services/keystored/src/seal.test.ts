import { createPublicKey, verify } from 'node:crypto';
import { Kernel } from '@nexus/ipc';
import {
  KS_KEY_ID_BYTES,
  KS_OP,
  KS_SEAL_DOMAIN,
  KS_SEAL_MESSAGE_BYTES,
  KeystoreClient,
  PO_OP,
  encodeKeystoreRequest,
} from '@nexus/proto';
import { startFakePolicyd, type FakePolicyScript } from '@nexus/test-support';
import { describe, expect, test } from 'vitest';
import { SEAL_CAP, generateAuditKeyPair, namesKey } from './audit-key.js';
import type { DeviceKeyPair } from './bringup-key.js';
import { startKeystored } from './start-keystored.js';

type Mode = 'allow' | 'deny' | 'garbage' | 'muted' | 'killed' | 'unconnected';

function rig(mode: Mode, options: { auditKeyPair?: DeviceKeyPair; script?: FakePolicyScript } = {}) {
  const kernel = new Kernel();
  const ks = startKeystored(kernel, { policyTimeoutMs: 30, ...(options.auditKeyPair === undefined ? {} : { auditKeyPair: options.auditKeyPair }) });
  const answer: FakePolicyScript = options.script ?? (mode === 'allow' ? 'allow' : mode === 'garbage' ? 'garbage' : 'deny');
  const policyd = startFakePolicyd(kernel, answer);
  if (mode === 'muted') kernel.faults.mute(policyd.task);
  if (mode !== 'unconnected') ks.connectPolicyd(kernel.grant(policyd.endpoint, ks.task));
  if (mode === 'killed') kernel.kill(policyd.task);
  const caller = kernel.spawn('policyd-stand-in');
  const route = kernel.grant(ks.endpoint, caller);
  const call = async (frame: Uint8Array, timeoutMs = 2000): Promise<Uint8Array> => (await caller.call(route, frame, { timeoutMs })).frame;
  return { kernel, ks, policyd, caller, call, api: new KeystoreClient(call) };
}

/** A checkpoint message naming `keyId` (the domain, arbitrary claim bytes, the key id last). */
function message(keyId: Uint8Array, fill = 7): Uint8Array {
  const m = new Uint8Array(KS_SEAL_MESSAGE_BYTES).fill(fill);
  m.set(KS_SEAL_DOMAIN);
  m.set(keyId, KS_SEAL_MESSAGE_BYTES - KS_KEY_ID_BYTES);
  return m;
}

async function auditKeyOf(api: KeystoreClient) {
  const res = await api.auditPubkey();
  if (res.status !== 'ok') throw new Error(`auditPubkey ${res.status}`);
  return { ...res.auditKey, key: createPublicKey({ key: Buffer.from(res.auditKey.spkiDer), format: 'der', type: 'spki' }) };
}

describe('KS SEAL and AUDIT_PUBKEY', () => {
  test('seal allowed with audit.seal: the signature verifies under the AUDIT_PUBKEY key; policyd was asked about the CALLER, once', async () => {
    const r = rig('allow');
    const audit = await auditKeyOf(r.api);
    const m = message(audit.keyId);
    const sealed = await r.api.seal(m);
    if (sealed.status !== 'ok') throw new Error(sealed.status);
    expect(verify(null, m, audit.key, sealed.signature)).toBe(true);
    expect(verify(null, message(audit.keyId, 8), audit.key, sealed.signature)).toBe(false);
    const again = await r.api.seal(message(audit.keyId, 9));
    expect(again.status).toBe('ok');
    // One question for the boot: an ALLOW of the immutable policy is remembered (see start-keystored).
    expect(r.policyd.seen).toHaveLength(1);
    const [{ request }] = r.policyd.seen as [(typeof r.policyd.seen)[number]];
    expect(request).toMatchObject({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, cap: SEAL_CAP });
    expect(request.op === PO_OP.CHECK_CAP_DELEGATED && request.subjectId).toBe(r.caller.serviceId);
  });

  for (const mode of ['deny', 'garbage', 'muted', 'killed', 'unconnected'] as const) {
    test(`seal fails closed when policyd is ${mode}`, async () => {
      const r = rig(mode);
      const audit = await auditKeyOf(r.api);
      expect(await r.api.seal(message(audit.keyId))).toEqual({ status: 'deny' });
    });
  }

  test('a DENY is never remembered: the next SEAL asks again and may be allowed', async () => {
    let answers = 0;
    const r = rig('allow', { script: () => (answers++ === 0 ? 'deny' : 'allow') });
    const audit = await auditKeyOf(r.api);
    expect(await r.api.seal(message(audit.keyId))).toEqual({ status: 'deny' });
    expect((await r.api.seal(message(audit.keyId))).status).toBe('ok');
    expect(r.policyd.seen).toHaveLength(2);
  });

  test('test_reject_seal_other_key: a claim naming another key id is MALFORMED, even for policyd', async () => {
    const r = rig('allow');
    const audit = await auditKeyOf(r.api);
    const other = audit.keyId.map((b) => b ^ 0xff);
    const frame = encodeKeystoreRequest({ op: KS_OP.SEAL, message: message(other) });
    expect([...(await r.call(frame))]).toEqual([0x4b, 0x53, 1, 0x87, 2, 0, 0]);
  });

  test('test_reject_seal_general_signing: no frame that is not a checkpoint message is signed or reaches policyd', async () => {
    const r = rig('allow');
    const audit = await auditKeyOf(r.api);
    const good = message(audit.keyId);
    const ks = (...body: number[]): Uint8Array => Uint8Array.of(0x4b, 0x53, 1, KS_OP.SEAL, ...body);
    const frames = [
      ks(),
      ks(...good.subarray(0, 201)),
      ks(...good, 0),
      ks(...good.map((b, i) => (i === 25 ? 1 : b))),
      ks(...new Uint8Array(KS_SEAL_MESSAGE_BYTES).fill(0x41)),
      ks(0xca, 0, 0, 0, ...good),
    ];
    for (const frame of frames) expect((await r.call(frame))[4]).toBe(2);
    expect(r.policyd.seen).toHaveLength(0);
  });

  test('the audit key is not the device key: a SIGN (crypto.sign) of a checkpoint message does not verify under it', async () => {
    const r = rig('allow');
    const audit = await auditKeyOf(r.api);
    const device = await r.api.pubkey();
    if (device.status !== 'ok') throw new Error(device.status);
    expect(Buffer.from(device.pubkey.publicKey).equals(Buffer.from(audit.publicKey))).toBe(false);
    const m = message(audit.keyId);
    const signed = await r.api.sign(m);
    if (signed.status !== 'ok') throw new Error(signed.status);
    expect(verify(null, m, audit.key, signed.signature)).toBe(false);
  });

  test('test_reject_audit_key_extraction: no reply carries the audit private key', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as DeviceKeyPair;
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    const seed = Buffer.from(pkcs8.subarray(pkcs8.byteLength - 32));
    const r = rig('allow', { auditKeyPair: pair });
    const audit = await auditKeyOf(r.api);
    const frames = [
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14].map((op) => Uint8Array.of(0x4b, 0x53, 1, op)),
      encodeKeystoreRequest({ op: KS_OP.SEAL, message: message(audit.keyId) }),
      encodeKeystoreRequest({ op: KS_OP.SIGN, payload: pkcs8 }),
      encodeKeystoreRequest({ op: KS_OP.AUDIT_PUBKEY }),
    ];
    for (const frame of frames) {
      const reply = Buffer.from(await r.call(frame));
      for (let i = 0; i + 12 <= 32; i++) expect(reply.indexOf(seed.subarray(i, i + 12))).toBe(-1);
    }
  });

  test('AUDIT_PUBKEY is public: any caller gets it, without a policy question', async () => {
    const r = rig('deny');
    expect((await r.api.auditPubkey()).status).toBe('ok');
    expect(r.policyd.seen).toHaveLength(0);
  });
});

describe(generateAuditKeyPair, () => {
  test('the audit private key is not extractable', async () => {
    const pair = await generateAuditKeyPair();
    expect(pair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', pair.privateKey)).rejects.toThrow();
  });
});

describe(namesKey, () => {
  const id = new Uint8Array(32).fill(5);
  test.each([
    ['its own key id', message(id), true],
    ['another key id', message(new Uint8Array(32).fill(6)), false],
    ['a short message', message(id).subarray(1), false],
  ])('%s', (_name, m, expected) => expect(namesKey(m, id)).toBe(expected));
});
