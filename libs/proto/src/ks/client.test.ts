import { IpcError } from '@nexus/ipc';
import { describe, expect, it } from 'vitest';
import type { Transport } from '../call-transport.js';
import { decodeKeystoreRequest, encodeKeystoreReply } from './codec.js';
import { KeystoreClient } from './client.js';
import { ED25519_SPKI_PREFIX, encodeKeystoreAuditPubkey } from './audit-pubkey.js';
import { encodeKeystorePubkey } from './pubkey.js';
import { KS_SEAL_DOMAIN, KS_SEAL_MESSAGE_BYTES, KS_STATUS, type KeystoreRequest, type KeystoreStatus } from './wire.js';

const frame = (...b: number[]): Uint8Array => Uint8Array.from(b);
const SIG = new Uint8Array(64).fill(9);
const PUB = encodeKeystorePubkey({ publicKey: new Uint8Array(32).fill(4), keyClass: 1, label: 'bringup' });

/** A fake keystored answering `status` (and, on OK, `value`) to any well-formed request. */
function server(status: KeystoreStatus, value: Uint8Array = frame(), seen: KeystoreRequest[] = []): Transport {
  return async (f) => {
    const res = decodeKeystoreRequest(f);
    if (!res.ok) return res.reply;
    seen.push(res.request);
    return encodeKeystoreReply({ op: res.request.op, status, value: status === KS_STATUS.OK ? value : frame() });
  };
}

describe(KeystoreClient, () => {
  it('put / del: ok only on an empty OK reply', async () => {
    const seen: KeystoreRequest[] = [];
    const ks = new KeystoreClient(server(KS_STATUS.OK, frame(), seen));
    expect(await ks.put('k', frame(1))).toEqual({ status: 'ok' });
    expect(await ks.del('k')).toEqual({ status: 'ok' });
    expect(seen).toEqual([{ op: 1, key: 'k', value: frame(1) }, { op: 3, key: 'k' }]);
    expect(await new KeystoreClient(server(KS_STATUS.OK, frame(1))).put('k', frame())).toEqual({ status: 'bad-reply' });
  });

  it('get returns the value', async () => {
    expect(await new KeystoreClient(server(KS_STATUS.OK, frame(5, 6))).get('k')).toEqual({ status: 'ok', value: frame(5, 6) });
  });

  it('sign returns a 64-byte signature', async () => {
    expect(await new KeystoreClient(server(KS_STATUS.OK, SIG)).sign(frame(1))).toEqual({ status: 'ok', signature: SIG });
  });

  it('verify: valid only on OK [1]', async () => {
    const args = [new Uint8Array(32), new Uint8Array(64), frame(1)] as const;
    expect(await new KeystoreClient(server(KS_STATUS.OK, frame(1))).verify(...args)).toEqual({ status: 'ok', valid: true });
    expect(await new KeystoreClient(server(KS_STATUS.OK, frame(0))).verify(...args)).toEqual({ status: 'ok', valid: false });
    expect(await new KeystoreClient(server(KS_STATUS.OK, frame(2))).verify(...args)).toEqual({ status: 'bad-reply' });
    expect(await new KeystoreClient(server(KS_STATUS.OK, frame())).verify(...args)).toEqual({ status: 'bad-reply' });
  });

  it('pubkey decodes key, class and label', async () => {
    expect(await new KeystoreClient(server(KS_STATUS.OK, PUB)).pubkey()).toEqual({
      status: 'ok',
      pubkey: { publicKey: new Uint8Array(32).fill(4), keyClass: 1, label: 'bringup' },
    });
    expect(await new KeystoreClient(server(KS_STATUS.OK, new Uint8Array(32))).pubkey()).toEqual({ status: 'bad-reply' });
  });

  it('seal sends the checkpoint message and returns a 64-byte signature', async () => {
    const seen: KeystoreRequest[] = [];
    const message = new Uint8Array(KS_SEAL_MESSAGE_BYTES);
    message.set(KS_SEAL_DOMAIN);
    expect(await new KeystoreClient(server(KS_STATUS.OK, SIG, seen)).seal(message)).toEqual({ status: 'ok', signature: SIG });
    expect(seen).toEqual([{ op: 7, message }]);
    expect(await new KeystoreClient(server(KS_STATUS.OK, SIG.slice(1))).seal(message)).toEqual({ status: 'bad-reply' });
    expect(await new KeystoreClient(server(KS_STATUS.DENY)).seal(message)).toEqual({ status: 'deny' });
  });

  it('test_reject_seal_not_a_checkpoint: never sent', async () => {
    const seen: KeystoreRequest[] = [];
    const ks = new KeystoreClient(server(KS_STATUS.OK, SIG, seen));
    expect(await ks.seal(new Uint8Array(KS_SEAL_MESSAGE_BYTES))).toEqual({ status: 'malformed' });
    expect(await ks.seal(KS_SEAL_DOMAIN)).toEqual({ status: 'malformed' });
    expect(seen).toEqual([]);
  });

  it('auditPubkey: key, key id and SPKI DER; a wrong key id is bad-reply', async () => {
    const raw = new Uint8Array(32).fill(7);
    const value = encodeKeystoreAuditPubkey(raw);
    const res = await new KeystoreClient(server(KS_STATUS.OK, value)).auditPubkey();
    if (res.status !== 'ok') throw new Error(res.status);
    expect(res.auditKey.publicKey).toEqual(raw);
    expect([...res.auditKey.spkiDer]).toEqual([...ED25519_SPKI_PREFIX, ...raw]);
    const forged = value.map((b, i) => (i === 40 ? b ^ 1 : b));
    expect(await new KeystoreClient(server(KS_STATUS.OK, forged)).auditPubkey()).toEqual({ status: 'bad-reply' });
    expect(await new KeystoreClient(server(KS_STATUS.OK, value.slice(1))).auditPubkey()).toEqual({ status: 'bad-reply' });
  });

  it('test_reject_key_extraction: getDevicePrivkey never yields key material', async () => {
    expect(await new KeystoreClient(server(KS_STATUS.PRIVATE_EXPORT_DENIED)).getDevicePrivkey()).toEqual({
      status: 'private-export-denied',
    });
    const leaky = await new KeystoreClient(server(KS_STATUS.OK, new Uint8Array(32).fill(1))).getDevicePrivkey();
    expect(leaky).toEqual({ status: 'bad-reply' });
  });

  const statuses: ReadonlyArray<{ status: KeystoreStatus; out: string }> = [
    { status: KS_STATUS.NOT_FOUND, out: 'not-found' },
    { status: KS_STATUS.MALFORMED, out: 'malformed' },
    { status: KS_STATUS.TOO_LARGE, out: 'too-large' },
    { status: KS_STATUS.UNSUPPORTED, out: 'unsupported' },
    { status: KS_STATUS.DENY, out: 'deny' },
    { status: KS_STATUS.KEY_EXISTS, out: 'key-exists' },
    { status: KS_STATUS.KEY_NOT_FOUND, out: 'key-not-found' },
  ];
  for (const { status, out } of statuses) {
    it(`sign with status ${status} → '${out}', no signature`, async () => {
      expect(await new KeystoreClient(server(status)).sign(frame(1))).toEqual({ status: out });
    });
  }

  const failures: ReadonlyArray<{ name: string; transport: Transport; out: string }> = [
    { name: 'test_reject_timeout', transport: () => Promise.reject(new IpcError('TIMEOUT', 'x')), out: 'timeout' },
    { name: 'test_reject_peer_closed', transport: () => Promise.reject(new IpcError('PEER_CLOSED', 'x')), out: 'peer-closed' },
    { name: 'test_reject_rejected_transport', transport: () => Promise.reject(new Error('x')), out: 'error' },
    { name: 'test_reject_garbage_reply', transport: async () => frame(1, 2, 3), out: 'bad-reply' },
    { name: 'test_reject_reply_of_the_wrong_op', transport: async () => frame(0x4b, 0x53, 1, 0x82, 0, 64, 0, ...SIG), out: 'bad-reply' },
    { name: 'test_reject_truncated_reply', transport: async () => frame(0x4b, 0x53, 1, 0x85, 0, 64, 0, ...SIG.slice(1)), out: 'bad-reply' },
    { name: 'test_reject_short_signature', transport: async () => frame(0x4b, 0x53, 1, 0x85, 0, 63, 0, ...SIG.slice(1)), out: 'bad-reply' },
  ];
  for (const { name, transport, out } of failures) {
    it(`sign: ${name} → '${out}'`, async () => {
      expect(await new KeystoreClient(transport).sign(frame(1))).toEqual({ status: out });
    });
  }

  it('test_reject_client_key_65_bytes: refused without sending', async () => {
    let called = false;
    const ks = new KeystoreClient(async () => ((called = true), frame()));
    expect(await ks.get('k'.repeat(65))).toEqual({ status: 'malformed' });
    expect(await ks.put('k', new Uint8Array(257))).toEqual({ status: 'malformed' });
    expect(called).toBe(false);
  });
});
