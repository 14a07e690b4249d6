import { Kernel, serviceIdFromName, type SendCap, type Task } from '@nexus/ipc';
import {
  BM_MAX_REQUEST,
  BM_OP,
  BundleClient,
  KS_OP,
  KS_STATUS,
  PO_OP,
  decodeKeystoreRequest,
  encodeKeystoreReply,
} from '@nexus/proto';
import { startFakePolicyd, type FakePolicyd } from '@nexus/test-support';
import { webcrypto } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { BundleError } from './bundle-error.js';
import { startBundlemgrd, type BundlemgrdHandle } from './start-bundlemgrd.js';

type Answer = 'allow' | 'deny' | 'garbage';

type Decide = (subject: bigint, cap: string, target?: bigint) => Answer;

/**
 * The fake policyd as bundlemgrd meets it: `decide` answers each CHECK_CAP_DELEGATED (v2, or v3 with
 * a target id), nothing else is supported.
 */
function fakePolicyd(kernel: Kernel, decide: Decide): FakePolicyd {
  return startFakePolicyd(kernel, (req) => {
    if (req.op !== PO_OP.CHECK_CAP_DELEGATED) return 'unsupported';
    if (req.version === 3) return decide(req.subjectId, req.cap, req.targetId);
    return req.version === 2 ? decide(req.subjectId, req.cap) : 'unsupported';
  });
}

/** The CHECK_CAP_DELEGATED queries the fake policyd saw, as (sender, subject, cap, target id if any). */
function queries(r: Rig): Array<{ sender: bigint; subject: bigint; cap: string; target?: bigint }> {
  return r.policyd.seen.flatMap(({ sender, request }) => {
    if (request.op !== PO_OP.CHECK_CAP_DELEGATED) return [];
    const target = request.version === 3 ? { target: request.targetId } : {};
    return [{ sender, subject: request.subjectId, cap: request.cap, ...target }];
  });
}

/** A stand-in keystored serving only VERIFY, with WebCrypto. */
function fakeKeystored(kernel: Kernel) {
  const task = kernel.spawn('keystored');
  const { recv, send } = kernel.createEndpoint(task, { maxFrame: 8192 });
  let verifies = 0;
  task.serve(recv, async (msg) => {
    const decoded = decodeKeystoreRequest(msg.frame);
    if (!decoded.ok) return decoded.reply;
    const req = decoded.request;
    if (req.op !== KS_OP.VERIFY) return encodeKeystoreReply({ op: req.op, status: KS_STATUS.UNSUPPORTED, value: new Uint8Array(0) });
    verifies += 1;
    const key = await crypto.subtle.importKey('raw', req.publicKey, { name: 'Ed25519' }, false, ['verify']);
    const valid = await crypto.subtle.verify({ name: 'Ed25519' }, key, req.signature, req.payload);
    return encodeKeystoreReply({ op: req.op, status: KS_STATUS.OK, value: Uint8Array.of(valid ? 1 : 0) });
  });
  return { task, endpoint: send, verifies: (): number => verifies };
}

const publisher = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
const publisherKey = new Uint8Array(await crypto.subtle.exportKey('raw', publisher.publicKey));
const stranger = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;

function manifest(name: string, caps: readonly string[] = ['fs.read'], who = 'nexus', version = '1.0.0'): string {
  return `name = "${name}"\nversion = "${version}"\npublisher = "${who}"\ncapabilities = [${caps.map((c) => `"${c}"`).join(', ')}]\n`;
}

async function sign(text: string, by = publisher): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, by.privateKey, new TextEncoder().encode(text)));
}

/** The system services the recipes grant or the boot harness starts: bundle names need an explicit grant. */
const SYSTEM_NAMES = ['policyd', 'logd', 'keystored', 'bundlemgrd', 'execd', 'init-lite', 'selftest-client', 'samgrd'] as const;

/** Grants of the fake policy, by service name (`cap@target` names a target). */
const GRANTS: Record<string, readonly string[]> = {
  'selftest-client': ['bundle.install'],
  'demo.testsvc': ['ipc.core', 'fs.read'],
  'other.svc': ['fs.read'],
  keystored: ['crypto.sign'],
};

/** The fake policy: RFC-0015 semantics for exact grants, with `bundle.install` restricted to SYSTEM_NAMES. */
function policyOf(grants: Record<string, readonly string[]>): Decide {
  const holds = (subject: bigint, pattern: string): boolean =>
    Object.entries(grants).some(([name, caps]) => serviceIdFromName(name) === subject && caps.includes(pattern));
  return (subject, cap, target) => {
    if (target === undefined) return holds(subject, cap) ? 'allow' : 'deny';
    const name = SYSTEM_NAMES.find((n) => serviceIdFromName(n) === target);
    if (name !== undefined && holds(subject, `${cap}@${name}`)) return 'allow';
    return name === undefined && cap === 'bundle.install' && holds(subject, cap) ? 'allow' : 'deny';
  };
}
const grantedBy: Decide = policyOf(GRANTS);

interface Rig {
  readonly kernel: Kernel;
  readonly bm: BundlemgrdHandle;
  readonly policyd: FakePolicyd;
  readonly keystored: ReturnType<typeof fakeKeystored>;
  readonly client: Task;
  readonly route: SendCap;
  readonly api: BundleClient;
}

// Downstream timeouts: generous by default, so a loaded machine never turns an answered call into a
// timeout DENY (the 255-install test flaked at 30 ms under load); the muted-peer rows ask for 30 ms.
function rig(opts: { decide?: Decide; connect?: boolean; caller?: string; timeoutMs?: number } = {}): Rig {
  const kernel = new Kernel();
  const timeoutMs = opts.timeoutMs ?? 2000;
  const bm = startBundlemgrd(kernel, { trustedPublishers: { nexus: publisherKey }, policyTimeoutMs: timeoutMs, keystoreTimeoutMs: timeoutMs });
  const policyd = fakePolicyd(kernel, opts.decide ?? grantedBy);
  const keystored = fakeKeystored(kernel);
  if (opts.connect !== false) {
    bm.connectPolicyd(kernel.grant(policyd.endpoint, bm.task));
    bm.connectKeystore(kernel.grant(keystored.endpoint, bm.task));
  }
  const client = kernel.spawn(opts.caller ?? 'selftest-client');
  const route = kernel.grant(bm.endpoint, client);
  const api = new BundleClient(async (f, t) => (await client.call(route, f, { timeoutMs: t })).frame, { timeoutMs: 2000 });
  return { kernel, bm, policyd, keystored, client, route, api };
}

async function install(r: Rig, text: string, by = publisher) {
  return r.api.install(text, await sign(text, by));
}

describe(startBundlemgrd, () => {
  test('install ok, then QUERY and LIST show it; policyd was asked about the caller, its bundle name, then the bundle', async () => {
    const r = rig();
    const text = manifest('demo.testsvc', ['ipc.core', 'fs.read']);
    expect(await install(r, text)).toEqual({ status: 'ok', imageId: 1 });
    expect(await r.api.query('demo.testsvc')).toEqual({ status: 'ok', imageId: 1, version: '1.0.0' });
    expect(await r.api.query('other')).toEqual({ status: 'not-found' });
    expect(await r.api.list()).toEqual({ status: 'ok', bundles: [{ imageId: 1, name: 'demo.testsvc', version: '1.0.0' }] });
    const demo = serviceIdFromName('demo.testsvc');
    expect(queries(r)).toEqual([
      { sender: r.bm.task.serviceId, subject: r.client.serviceId, cap: 'bundle.install' },
      { sender: r.bm.task.serviceId, subject: r.client.serviceId, cap: 'bundle.install', target: demo },
      { sender: r.bm.task.serviceId, subject: demo, cap: 'ipc.core' },
      { sender: r.bm.task.serviceId, subject: demo, cap: 'fs.read' },
    ]);
    expect(r.keystored.verifies()).toBe(1);
    expect(await install(r, manifest('other.svc'))).toEqual({ status: 'ok', imageId: 2 });
  });

  test('install denied without bundle.install: nothing else is looked at', async () => {
    const r = rig({ caller: 'demo.client' });
    expect(await install(r, manifest('demo.testsvc'))).toEqual({ status: 'deny' });
    expect(await r.api.install('not toml at all [', new Uint8Array(64))).toEqual({ status: 'deny' });
    expect(queries(r).map((q) => q.subject)).toEqual([r.client.serviceId, r.client.serviceId]);
    expect(r.keystored.verifies()).toBe(0);
    expect(await r.api.list()).toEqual({ status: 'ok', bundles: [] });
  });

  test('test_reject_install_system_service_name: a trusted, signed bundle named keystored asking crypto.sign is DENY', async () => {
    const r = rig();
    expect(await install(r, manifest('keystored', ['crypto.sign']))).toEqual({ status: 'deny' });
    expect(await r.api.query('keystored')).toEqual({ status: 'not-found' });
    expect(await r.api.list()).toEqual({ status: 'ok', bundles: [] });
    // Refused on the name: neither the signature nor the capability was looked at.
    expect(r.keystored.verifies()).toBe(0);
    expect(queries(r)).toEqual([
      { sender: r.bm.task.serviceId, subject: r.client.serviceId, cap: 'bundle.install' },
      { sender: r.bm.task.serviceId, subject: r.client.serviceId, cap: 'bundle.install', target: serviceIdFromName('keystored') },
    ]);
  });

  test('a system name is installable when the policy names it: bundle.install@keystored', async () => {
    const grants = { ...GRANTS, 'selftest-client': ['bundle.install', 'bundle.install@keystored'] };
    const r = rig({ decide: policyOf(grants) });
    expect(await install(r, manifest('keystored', ['crypto.sign']))).toEqual({ status: 'ok', imageId: 1 });
    expect(queries(r).at(-1)).toEqual({ sender: r.bm.task.serviceId, subject: serviceIdFromName('keystored'), cap: 'crypto.sign' });
    // The grant names keystored only: another system name stays refused.
    expect(await install(r, manifest('logd', []))).toEqual({ status: 'deny' });
  });

  for (const name of SYSTEM_NAMES) {
    test(`test_reject_install_system_service_name ${name} (capability-free) is DENY`, async () => {
      const r = rig();
      expect(await install(r, manifest(name, []))).toEqual({ status: 'deny' });
      expect(await r.api.query(name)).toEqual({ status: 'not-found' });
      expect(queries(r).at(-1)).toEqual({
        sender: r.bm.task.serviceId, subject: r.client.serviceId, cap: 'bundle.install', target: serviceIdFromName(name),
      });
    });
  }

  test('install with a bad signature is BAD_SIGNATURE', async () => {
    const r = rig();
    const text = manifest('demo.testsvc');
    expect(await r.api.install(text, await sign(text, stranger))).toEqual({ status: 'bad-signature' });
    // A signature over other bytes (a single space more) is bad too: it covers the exact manifest bytes.
    expect(await r.api.install(text, await sign(`${text} `))).toEqual({ status: 'bad-signature' });
    expect(await r.api.query('demo.testsvc')).toEqual({ status: 'not-found' });
  });

  for (const who of ['stranger', 'constructor', '__proto__', 'tostring']) {
    test(`install from an untrusted publisher "${who}" is BAD_SIGNATURE, without asking keystored`, async () => {
      const r = rig();
      expect(await install(r, manifest('demo.testsvc', [], who), stranger)).toEqual({ status: 'bad-signature' });
      expect(r.keystored.verifies()).toBe(0);
    });
  }

  test('install with excess capabilities is EXCESS_CAPABILITIES, asked about the bundle\u2019s service', async () => {
    const r = rig();
    expect(await install(r, manifest('demo.testsvc', ['fs.read', 'crypto.sign']))).toEqual({ status: 'excess-capabilities' });
    expect(queries(r).at(-1)).toEqual({ sender: r.bm.task.serviceId, subject: serviceIdFromName('demo.testsvc'), cap: 'crypto.sign' });
    expect(await r.api.list()).toEqual({ status: 'ok', bundles: [] });
  });

  const malformed: readonly [string, string][] = [
    ['TOML syntax error', 'name = "demo.testsvc'],
    ['a wildcard capability', manifest('demo.testsvc', ['fs.*'])],
    ['a targeted capability', manifest('demo.testsvc', ['ipc.route@execd'])],
    ['an uppercase name', manifest('Demo')],
    ['a 49-byte name', manifest('a'.repeat(49))],
    ['a non-semver version', manifest('demo.testsvc', [], 'nexus', 'latest')],
    ['a 33-byte version', manifest('demo.testsvc', [], 'nexus', `1.0.0-${'a'.repeat(27)}`)],
    ['33 capabilities', manifest('demo.testsvc', Array.from({ length: 33 }, (_, i) => `c${i}`))],
    ['a duplicate capability', manifest('demo.testsvc', ['fs.read', 'fs.read'])],
    ['an extra key', `${manifest('demo.testsvc')}entry = "/bin/sh"\n`],
    ['a missing key', 'name = "demo.testsvc"\nversion = "1.0.0"\npublisher = "nexus"\n'],
    ['a name that is a table', 'version = "1.0.0"\npublisher = "nexus"\ncapabilities = []\n[name]\nx = 1\n'],
  ];
  for (const [what, text] of malformed) {
    test(`test_reject_manifest with ${what} is MALFORMED`, async () => {
      const r = rig();
      expect(await install(r, text)).toEqual({ status: 'malformed' });
      expect(r.keystored.verifies()).toBe(0);
    });
  }

  test('test_reject_reinstall: a name already installed is ALREADY_INSTALLED and keeps its image', async () => {
    const r = rig();
    expect(await install(r, manifest('demo.testsvc'))).toEqual({ status: 'ok', imageId: 1 });
    expect(await install(r, manifest('demo.testsvc', ['fs.read'], 'nexus', '2.0.0'))).toEqual({ status: 'already-installed' });
    expect(await r.api.query('demo.testsvc')).toEqual({ status: 'ok', imageId: 1, version: '1.0.0' });
  });

  test('test_reject_install_over_255_images is FULL; LIST of 255 long names is truncated, never passed off as complete', async () => {
    const r = rig();
    const name = (i: number): string => `${'b'.repeat(44)}${String(i).padStart(4, '0')}`;
    for (let i = 1; i <= 255; i += 1) {
      const res = await install(r, manifest(name(i), []));
      expect(res).toEqual({ status: 'ok', imageId: i });
    }
    expect(await install(r, manifest('one.more', []))).toEqual({ status: 'full' });
    expect(await r.api.query(name(255))).toEqual({ status: 'ok', imageId: 255, version: '1.0.0' });
    const list = await r.api.list();
    expect(list.status).toBe('truncated');
    if (list.status !== 'truncated') return;
    expect(list.bundles.length).toBeGreaterThan(0);
    expect(list.bundles.length).toBeLessThan(255);
    expect(list.bundles.map((b) => b.imageId)).toEqual(list.bundles.map((_, i) => i + 1));
  });

  // The last column: what a capability-free install gets (only the install gate and the signature stand).
  const failClosed: readonly [string, (r: Rig) => void, Partial<Parameters<typeof rig>[0]>, 'deny' | 'ok'][] = [
    ['policyd killed', (r) => r.kernel.kill(r.policyd.task), {}, 'deny'],
    ['policyd muted (timeout)', (r) => r.kernel.faults.mute(r.policyd.task), { timeoutMs: 30 }, 'deny'],
    ['policyd answering garbage', () => undefined, { decide: () => 'garbage' }, 'deny'],
    ['nothing connected', () => undefined, { connect: false }, 'deny'],
    ['keystored killed', (r) => r.kernel.kill(r.keystored.task), {}, 'deny'],
    ['keystored muted (timeout)', (r) => r.kernel.faults.mute(r.keystored.task), { timeoutMs: 30 }, 'deny'],
    ['policyd garbled on a capability', () => undefined, { decide: (s, c) => (c === 'fs.read' ? 'garbage' : grantedBy(s, c)) }, 'ok'],
    ['policyd garbled on bundle.install only', () => undefined, { decide: (s, c) => (c === 'bundle.install' ? 'garbage' : grantedBy(s, c)) }, 'deny'],
    ['policyd garbled on the bundle name only', () => undefined, { decide: (s, c, t) => (t !== undefined ? 'garbage' : grantedBy(s, c)) }, 'deny'],
  ];
  for (const [what, breakIt, opts, capFree] of failClosed) {
    test(`install fails closed (DENY) with ${what}`, async () => {
      const r = rig(opts);
      breakIt(r);
      expect(await install(r, manifest('demo.testsvc', ['ipc.core', 'fs.read']))).toEqual({ status: 'deny' });
      const res = await install(r, manifest('other.svc', []));
      expect(res.status).toBe(capFree);
      expect(await r.api.query('demo.testsvc')).toEqual({ status: 'not-found' });
    });
  }

  test('test_reject_bm_frame_over_8192: the kernel refuses it at the sender', async () => {
    const r = rig();
    await expect(r.client.call(r.route, new Uint8Array(BM_MAX_REQUEST + 1), { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'FRAME_TOO_LARGE',
    });
  });

  test('test_reject_manifest_over_4096 is TOO_LARGE (client refuses to send; raw frame answered TOO_LARGE)', async () => {
    const r = rig();
    const big = `${manifest('demo.testsvc')}#${'x'.repeat(4096)}`;
    expect(await r.api.install(big, await sign(big))).toEqual({ status: 'malformed' });
    const frame = Uint8Array.of(0x42, 0x4d, 1, BM_OP.INSTALL, 0x01, 0x10, ...new Uint8Array(4097 + 64));
    const reply = await r.client.call(r.route, frame, { timeoutMs: 100 });
    expect([...reply.frame]).toEqual([0x42, 0x4d, 1, 0x81, 3, 0]);
  });

  const weakKeys: readonly { name: string; key: Uint8Array }[] = [
    { name: 'the identity (01 00…00)', key: Uint8Array.of(1, ...new Uint8Array(31)) },
    { name: 'the order-2 point (0, −1)', key: Uint8Array.of(0xec, ...new Uint8Array(30).fill(0xff), 0x7f) },
    { name: 'an order-4 point (00…00)', key: new Uint8Array(32) },
    { name: 'a non-canonical identity (y = p + 1)', key: Uint8Array.of(0xee, ...new Uint8Array(30).fill(0xff), 0x7f) },
    { name: 'a y that is not on the curve', key: Uint8Array.of(2, ...new Uint8Array(31)) },
  ];
  for (const c of weakKeys) {
    test(`test_reject_weak_publisher_key: ${c.name} is refused at startup with WEAK_KEY`, () => {
      const kernel = new Kernel();
      expect(() => startBundlemgrd(kernel, { trustedPublishers: { nexus: publisherKey, evil: c.key } })).toThrow(
        expect.objectContaining({ name: 'BundleError', code: 'WEAK_KEY' }),
      );
    });
  }

  test('test_reject_bad_options: a publisher key that is not 32 bytes, a bad publisher name, a second connect', () => {
    const kernel = new Kernel();
    expect(() => startBundlemgrd(kernel, { trustedPublishers: { nexus: new Uint8Array(31) } })).toThrow(BundleError);
    expect(() => startBundlemgrd(kernel, { trustedPublishers: { 'Nexus!': publisherKey } })).toThrow(BundleError);
    const bm = startBundlemgrd(kernel, { trustedPublishers: {} });
    const policyd = fakePolicyd(kernel, () => 'deny');
    bm.connectPolicyd(kernel.grant(policyd.endpoint, bm.task));
    expect(() => bm.connectPolicyd(kernel.grant(policyd.endpoint, bm.task))).toThrow(expect.objectContaining({ code: 'ALREADY_CONNECTED' }));
  });
});
