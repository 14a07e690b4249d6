import { FrameWriter, IpcError, Kernel, type SendCap, type Task } from '@nexus/ipc';
import {
  KS_KEY_CLASS,
  KS_MAX_FRAME,
  KS_MAX_PAYLOAD,
  KS_OP,
  KS_STATUS,
  KeystoreClient,
  PO_OP,
  decodeKeystoreReply,
  encodeKeystoreRequest,
} from '@nexus/proto';
import { startFakePolicyd, type FakePolicyAnswer, type FakePolicyd, type FakePolicydRequest } from '@nexus/test-support';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BRINGUP_KEY_LABEL, type DeviceKeyPair } from './bringup-key.js';
import { KeystoredError } from './keystored-error.js';
import { startKeystored, type KeystoredHandle } from './start-keystored.js';
import { verifyEd25519 } from './verify-ed25519.js';

type PolicyMode = 'allow' | 'deny' | 'garbage' | 'wrong-nonce' | 'malformed-status' | 'muted' | 'killed' | 'unconnected';

/** What the fake policyd answers in each mode; the last three also cut it off (see `rig`). */
const ANSWER: Readonly<Record<PolicyMode, FakePolicyAnswer>> = {
  allow: 'allow',
  deny: 'deny',
  garbage: 'garbage',
  'wrong-nonce': 'wrong-nonce',
  'malformed-status': 'malformed',
  muted: 'deny',
  killed: 'deny',
  unconnected: 'deny',
};

interface Rig {
  readonly kernel: Kernel;
  readonly ks: KeystoredHandle;
  readonly policyd: FakePolicyd;
  readonly client: Task;
  readonly route: SendCap;
  readonly call: (frame: Uint8Array) => Promise<Uint8Array>;
  readonly api: KeystoreClient;
}

async function extractablePair(): Promise<{ pair: DeviceKeyPair; seed: Uint8Array; pkcs8: Uint8Array }> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as DeviceKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  // An Ed25519 PKCS#8 key is a fixed 16-byte prefix followed by the 32-byte private seed.
  return { pair, seed: pkcs8.slice(pkcs8.byteLength - 32), pkcs8 };
}

function rig(mode: PolicyMode, options: { keyPair?: DeviceKeyPair; maxCallers?: number } = {}): Rig {
  const kernel = new Kernel();
  const ks = startKeystored(kernel, { ...options, policyTimeoutMs: 30 });
  const policyd = startFakePolicyd(kernel, ANSWER[mode]);
  if (mode === 'muted') kernel.faults.mute(policyd.task);
  if (mode !== 'unconnected') ks.connectPolicyd(kernel.grant(policyd.endpoint, ks.task));
  if (mode === 'killed') kernel.kill(policyd.task);
  const client = kernel.spawn('selftest-client');
  const route = kernel.grant(ks.endpoint, client);
  const call = async (frame: Uint8Array): Promise<Uint8Array> => (await client.call(route, frame, { timeoutMs: 2000 })).frame;
  return { kernel, ks, policyd, client, route, call, api: new KeystoreClient(call) };
}

function clientOf(r: Rig, name: string): KeystoreClient {
  const task = r.kernel.spawn(name);
  const route = r.kernel.grant(r.ks.endpoint, task);
  return new KeystoreClient(async (f, t) => (await task.call(route, f, { timeoutMs: t })).frame);
}

/** Whether any `window`-byte run of `needle` appears in `hay`. */
function leaks(hay: Uint8Array, needle: Uint8Array, window = 12): boolean {
  const h = Buffer.from(hay);
  for (let i = 0; i + window <= needle.byteLength; i += 1) {
    if (h.indexOf(Buffer.from(needle.subarray(i, i + window))) !== -1) return true;
  }
  return false;
}

const ks = (op: number, ...body: number[]): Uint8Array => Uint8Array.of(0x4b, 0x53, 1, op, ...body);
const text = new TextEncoder();

describe(startKeystored, () => {
  test('test_reject_key_extraction', async () => {
    const { pair, seed, pkcs8 } = await extractablePair();
    const r = rig('allow', { keyPair: pair });
    const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, Uint8Array.of(1)));
    const pub = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    const tricks = ['device_privkey', 'GET_DEVICE_PRIVKEY', '../keystored/device', 'keystored/privkey', '*', '\u0000', 'privkey.pem'];
    const frames: Uint8Array[] = [
      ks(KS_OP.GET_DEVICE_PRIVKEY),
      ks(KS_OP.GET_DEVICE_PRIVKEY, 0),
      ks(KS_OP.GET_DEVICE_PRIVKEY | 0x80),
      Uint8Array.of(0x4b, 0x53, 2, KS_OP.GET_DEVICE_PRIVKEY),
      ks(KS_OP.PUBKEY),
      ks(KS_OP.PUBKEY, 1),
      encodeKeystoreRequest({ op: KS_OP.SIGN, payload: pkcs8 }),
      encodeKeystoreRequest({ op: KS_OP.SIGN, payload: new Uint8Array(0) }),
      encodeKeystoreRequest({ op: KS_OP.VERIFY, publicKey: pub, signature, payload: Uint8Array.of(1) }),
      encodeKeystoreRequest({ op: KS_OP.VERIFY, publicKey: seed, signature, payload: Uint8Array.of(1) }),
      ks(KS_OP.SIGN, 0xff, 0xff, 0xff, 0xff),
      ks(0),
      ks(7),
      ks(12),
      ks(14),
      ks(0x7f),
      Uint8Array.of(0x4b, 0x53),
      new Uint8Array(0),
      ...tricks.flatMap((key) => [
        encodeKeystoreRequest({ op: KS_OP.PUT, key, value: text.encode(key) }),
        encodeKeystoreRequest({ op: KS_OP.GET, key }),
        encodeKeystoreRequest({ op: KS_OP.DEL, key }),
        encodeKeystoreRequest({ op: KS_OP.GET, key }),
      ]),
      ...fc.sample(fc.uint8Array({ maxLength: 96 }), { numRuns: 100, seed: 8 }),
      ...fc.sample(
        fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 80 })).map(([op, body]) => ks(op, ...body)),
        { numRuns: 200, seed: 13 },
      ),
    ];
    for (const frame of frames) {
      const reply = await r.call(frame);
      expect(leaks(reply, seed), `reply to ${Buffer.from(frame).toString('hex')}`).toBe(false);
      expect(leaks(reply, pkcs8)).toBe(false);
    }
    expect(decodeKeystoreReply(await r.call(ks(KS_OP.GET_DEVICE_PRIVKEY)), KS_OP.GET_DEVICE_PRIVKEY)).toEqual({
      op: KS_OP.GET_DEVICE_PRIVKEY,
      status: KS_STATUS.PRIVATE_EXPORT_DENIED,
      value: new Uint8Array(0),
    });
    expect(await r.api.getDevicePrivkey()).toEqual({ status: 'private-export-denied' });
  });

  test('keystored sign denied without crypto.sign, and policyd is asked about the CALLER', async () => {
    const r = rig('deny');
    expect(await r.api.sign(text.encode('hello'))).toEqual({ status: 'deny' });
    expect(r.policyd.seen).toHaveLength(1);
    const [{ sender, request }] = r.policyd.seen as [FakePolicydRequest];
    expect(sender).toBe(r.ks.task.serviceId);
    expect(request).toMatchObject({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, cap: 'crypto.sign' });
    expect(request.op === PO_OP.CHECK_CAP_DELEGATED && request.subjectId).toBe(r.client.serviceId);
    expect(r.client.serviceId).not.toBe(r.ks.task.serviceId);
  });

  test('sign allowed with crypto.sign: the signature verifies with WebCrypto and via KS VERIFY', async () => {
    const r = rig('allow');
    const payload = text.encode('bundle manifest bytes');
    const signed = await r.api.sign(payload);
    const pub = await r.api.pubkey();
    if (signed.status !== 'ok' || pub.status !== 'ok') throw new Error(`sign ${signed.status}, pubkey ${pub.status}`);
    expect(signed.signature).toHaveLength(64);
    const key = await crypto.subtle.importKey('raw', pub.pubkey.publicKey, { name: 'Ed25519' }, false, ['verify']);
    expect(await crypto.subtle.verify({ name: 'Ed25519' }, key, signed.signature, payload)).toBe(true);
    expect(await r.api.verify(pub.pubkey.publicKey, signed.signature, payload)).toEqual({ status: 'ok', valid: true });
    expect(await r.api.verify(pub.pubkey.publicKey, signed.signature, text.encode('other bytes'))).toEqual({ status: 'ok', valid: false });
    expect(r.policyd.seen.map((q) => q.request.op === PO_OP.CHECK_CAP_DELEGATED && q.request.subjectId)).toEqual([r.client.serviceId]);
  });

  test('sign of a 1 MiB payload fits the endpoint and verifies', async () => {
    const r = rig('allow');
    const payload = new Uint8Array(KS_MAX_PAYLOAD).fill(7);
    const signed = await r.api.sign(payload);
    const pub = await r.api.pubkey();
    if (signed.status !== 'ok' || pub.status !== 'ok') throw new Error('sign failed');
    expect(await verifyEd25519(pub.pubkey.publicKey, signed.signature, payload)).toBe(true);
  });

  for (const mode of ['deny', 'garbage', 'wrong-nonce', 'malformed-status', 'muted', 'killed', 'unconnected'] as const) {
    test(`sign fails closed when policyd is ${mode}`, async () => {
      const r = rig(mode);
      const res = await r.api.sign(Uint8Array.of(1, 2, 3));
      expect(res).toEqual({ status: 'deny' });
    });
  }

  test('PUBKEY labels the key as a bring-up key and returns the device public key', async () => {
    const { pair } = await extractablePair();
    const r = rig('allow', { keyPair: pair });
    const res = await r.api.pubkey();
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    expect(res).toEqual({ status: 'ok', pubkey: { publicKey: raw, keyClass: KS_KEY_CLASS.BRINGUP_NOT_FOR_PRODUCTION, label: BRINGUP_KEY_LABEL } });
  });

  test('per-caller namespaces: a caller never reads, overwrites or deletes another caller\u2019s keys', async () => {
    const r = rig('allow');
    const a = clientOf(r, 'alpha');
    const b = clientOf(r, 'beta');
    expect(await a.put('k', Uint8Array.of(1))).toEqual({ status: 'ok' });
    expect(await b.get('k')).toEqual({ status: 'not-found' });
    expect(await b.del('k')).toEqual({ status: 'not-found' });
    expect(await b.put('k', Uint8Array.of(2))).toEqual({ status: 'ok' });
    expect(await a.get('k')).toEqual({ status: 'ok', value: Uint8Array.of(1) });
    expect(await b.get('k')).toEqual({ status: 'ok', value: Uint8Array.of(2) });
    expect(await a.put('k', Uint8Array.of(3))).toEqual({ status: 'key-exists' });
    expect(await a.del('k')).toEqual({ status: 'ok' });
    expect(await b.get('k')).toEqual({ status: 'ok', value: Uint8Array.of(2) });
  });

  test('test_reject_namespace_over_32_entries', async () => {
    const r = rig('allow');
    for (let i = 0; i < 32; i += 1) expect(await r.api.put(`k${i}`, Uint8Array.of(i))).toEqual({ status: 'ok' });
    expect(await r.api.put('k32', Uint8Array.of(0))).toEqual({ status: 'too-large' });
    expect(await r.api.del('k0')).toEqual({ status: 'ok' });
    expect(await r.api.put('k32', Uint8Array.of(0))).toEqual({ status: 'ok' });
  });

  test('test_reject_namespace_over_max_callers', async () => {
    const r = rig('allow', { maxCallers: 2 });
    const [a, b, c] = [clientOf(r, 'alpha'), clientOf(r, 'beta'), clientOf(r, 'gamma')];
    expect(await a.put('k', Uint8Array.of(1))).toEqual({ status: 'ok' });
    expect(await b.put('k', Uint8Array.of(1))).toEqual({ status: 'ok' });
    expect(await c.put('k', Uint8Array.of(1))).toEqual({ status: 'too-large' });
    expect(await a.del('k')).toEqual({ status: 'ok' });
    expect(await c.put('k', Uint8Array.of(1))).toEqual({ status: 'ok' });
  });

  const oversized: readonly { name: string; frame: () => Uint8Array; status: number }[] = [
    { name: 'key of 65 bytes', frame: () => new FrameWriter(80).bytes(ks(KS_OP.GET)).bytes8(new Uint8Array(65).fill(0x61)).finish(), status: KS_STATUS.TOO_LARGE },
    {
      name: 'value of 257 bytes',
      frame: () => new FrameWriter(400).bytes(ks(KS_OP.PUT)).str8('k').bytes16(new Uint8Array(257)).finish(),
      status: KS_STATUS.TOO_LARGE,
    },
    { name: 'SIGN plen over 1 MiB', frame: () => ks(KS_OP.SIGN, 0x01, 0x00, 0x10, 0x00), status: KS_STATUS.TOO_LARGE },
    { name: 'SIGN plen longer than the frame', frame: () => ks(KS_OP.SIGN, 5, 0, 0, 0, 1), status: KS_STATUS.MALFORMED },
    { name: 'empty key', frame: () => ks(KS_OP.GET, 0), status: KS_STATUS.MALFORMED },
    { name: 'bad magic', frame: () => Uint8Array.of(0x4b, 0x54, 1, KS_OP.PUBKEY), status: KS_STATUS.MALFORMED },
    { name: 'version 2', frame: () => Uint8Array.of(0x4b, 0x53, 2, KS_OP.PUBKEY), status: KS_STATUS.UNSUPPORTED },
    { name: 'unknown op 9', frame: () => ks(9), status: KS_STATUS.UNSUPPORTED },
    { name: 'trailing byte on PUBKEY', frame: () => ks(KS_OP.PUBKEY, 0), status: KS_STATUS.MALFORMED },
  ];
  for (const c of oversized) {
    test(`test_reject_ks_frame: ${c.name}`, async () => {
      const r = rig('allow');
      const reply = await r.call(c.frame());
      expect(reply[4]).toBe(c.status);
      expect(reply.byteLength).toBe(7);
    });
  }

  test('test_reject_ks_frame_over_max_frame: the kernel refuses it at the sender', async () => {
    const r = rig('allow');
    await expect(r.call(new Uint8Array(KS_MAX_FRAME + 1))).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    await expect(r.call(new Uint8Array(KS_MAX_FRAME + 1))).rejects.toBeInstanceOf(IpcError);
  });

  test('fuzz: every frame gets one well-formed KS reply that never carries private key bytes', async () => {
    const { pair, seed } = await extractablePair();
    const r = rig('allow', { keyPair: pair });
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(fc.integer({ min: 0, max: 15 }), fc.uint8Array({ maxLength: 120 })).map(([op, body]) => ks(op, ...body)),
    );
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        const reply = await r.call(frame);
        expect(reply.byteLength).toBeGreaterThanOrEqual(7);
        const op = reply[3]! & 0x7f;
        expect(reply[3]! & 0x80).toBe(0x80);
        expect(() => decodeKeystoreReply(reply, op)).not.toThrow();
        expect(leaks(reply, seed)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  test('test_reject_bad_options: a key pair that cannot sign, and a second connectPolicyd', async () => {
    const kernel = new Kernel();
    const { pair } = await extractablePair();
    expect(() => startKeystored(kernel, { keyPair: { privateKey: pair.publicKey, publicKey: pair.publicKey } })).toThrow(KeystoredError);
    const handle = startKeystored(kernel);
    const policyd = startFakePolicyd(kernel, 'allow');
    handle.connectPolicyd(kernel.grant(policyd.endpoint, handle.task));
    expect(() => handle.connectPolicyd(kernel.grant(policyd.endpoint, handle.task))).toThrow(expect.objectContaining({ code: 'ALREADY_CONNECTED' }));
  });
});
