// A vPSBT whose script key is a FROST key (docs/frost.md §2.6): two emulated devices of a 2-of-3
// each review the transfer through SIGN_VPSBT v2 and sign the sighash they derive themselves; the
// orchestrator verifies every share, aggregates, and the witness passes the asset VM port
// (assets/vtx/verify.ts). The signature is checked with @noble/curves against the BIP-86 output
// key computed by @scure/btc-signer. A lying host (package swapped, share of another key set,
// nonce of another vPSBT, replayed or reordered signing) is refused with a typed error each.

import { schnorr } from '@noble/curves/secp256k1.js';
import { p2tr } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { concat, toHex } from '../../apdu/bytes.ts';
import { encodeKeyPackage, groupKeyXOnly, type FrostKeyPackage } from '../../apdu/tap-app/frost-data.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';
import { verifyStateTransition } from '../../assets/vtx/verify.ts';
import {
  signVpsbtFrostInput,
  DeviceFrostSigner,
  type FrostSigner,
} from '../../host/frost/index.ts';
import { TapAppClient, signedOutput, vpsbtInputSighash, vpsbtSplits } from '../../host/tap-app/index.ts';
import { LoopbackTransport } from '../../devices/loopback.ts';
import { transferPacket } from '../unit/tap-app/vpsbt-fixture.ts';
import { walkStreamedReview } from '../unit/tap-app/device.ts';
import { frostKeySet } from './frost-key-set.ts';

function verifyPacket(p: VPacket) {
  verifyStateTransition(signedOutput(p).asset!, vpsbtSplits(p), p.inputs.map((vin) => ({ prevId: vin.prevId, asset: vin.asset! })));
}

/** The BIP-86 output key of the group key, computed without our code: the script key tapd would use. */
const bip86Key = (pkg: FrostKeyPackage): Uint8Array => p2tr(groupKeyXOnly(pkg)).tweakedPubkey;

const status = (name: string, statusCode: number) => expect.objectContaining({ name, statusCode });


/** A split transfer (two recipients) of one input locked to the key set's BIP-86 script key. */
function packetFor(pkg: FrostKeyPackage, amount = 1000n): VPacket {
  return transferPacket({ inputs: [amount], recipients: 2, inputScriptKeys: [concat(Uint8Array.of(0x02), bip86Key(pkg))] });
}

/** FROST_COMMIT on `signer` for input 0 of `packet`, the nonce bound to its sighash, and `others`' commitments. */
async function committed(packet: VPacket, pkg: FrostKeyPackage, signer: DeviceFrostSigner, others: FrostSigner[]) {
  const session = { keyPackage: pkg, message: vpsbtInputSighash(packet, 0), tweak: { kind: 'bip86' } as const };
  const own = await signer.commit(session);
  const rest = await Promise.all(others.map((o) => o.commit(session)));
  const commitments = [own, ...rest].map((c) => c.commitment).sort((x, y) => x.index - y.index);
  return { own, rest, commitments, share: { input: 0, handle: own.handle, wrappedShare: signer.share.wrappedShare, keyPackage: pkg, commitments } };
}

describe('a FROST key as an asset script key, signed through SIGN_VPSBT v2', () => {
  it('two devices of a 2-of-3 review and sign: the aggregate verifies against the script key and the witness passes the asset VM port', async () => {
    const { dkg, signerA, signerB } = await frostKeySet();
    const packet = packetFor(dkg.keyPackage);
    const r = await signVpsbtFrostInput(packet, 0, dkg.keyPackage, [signerA, signerB]);
    expect(toHex(r.signingKey)).toBe(toHex(bip86Key(dkg.keyPackage)));
    expect(schnorr.verify(r.signature, vpsbtInputSighash(packet, 0), bip86Key(dkg.keyPackage))).toBe(true);
    expect(signedOutput(r.packet).asset!.prevWitnesses[0]!.txWitness).toEqual([r.signature]);
    expect(() => verifyPacket(r.packet)).not.toThrow();
    // The unsigned packet does not pass: the witness is what the VM checks.
    expect(() => verifyPacket(packet)).toThrow();
  });

  it('the other signer sets sign too (a device with the software participant, all three); fewer than t are refused', async () => {
    const { a, dkg, signerA, signerB, signerC } = await frostKeySet();
    for (const set of [[signerA, signerC], [signerB, signerC], [signerA, signerB, signerC]]) {
      const packet = packetFor(dkg.keyPackage, 700n + BigInt(set.length));
      const r = await signVpsbtFrostInput(packet, 0, dkg.keyPackage, set);
      expect(() => verifyPacket(r.packet)).not.toThrow();
    }
    const packet = packetFor(dkg.keyPackage);
    await expect(signVpsbtFrostInput(packet, 0, dkg.keyPackage, [signerA])).rejects.toMatchObject({ name: 'FrostSessionError' });
    // A host that streams a commitment list of one signer anyway: 6A80 before any output page.
    const c = await committed(packet, dkg.keyPackage, signerA, []);
    await expect(a.client.signVpsbtFrost(packet, [c.share])).rejects.toEqual(status('IncorrectDataError', 0x6a80));
  });

  it('the review shows the key set t of n, the group key and the signing key, all derived from the verified package', async () => {
    const { a, dkg, signerA, signerC } = await frostKeySet();
    const packet = packetFor(dkg.keyPackage);
    const c = await committed(packet, dkg.keyPackage, signerA, [signerC]);
    a.device.autoApprove = false;
    const pending = a.client.signVpsbtFrost(packet, [c.share]);
    const pages = (await walkStreamedReview(a.device)).join(' ').replace(/\s/g, '');
    const { frostShares } = await pending;
    expect(frostShares.map((s) => s.input)).toEqual([0]);
    expect(pages).toContain('Input1FROSTkeyset2of3,thisdeviceparticipant1');
    expect(pages).toContain(toHex(groupKeyXOnly(dkg.keyPackage)).slice(0, 16));
    expect(pages).toContain(toHex(bip86Key(dkg.keyPackage)).slice(0, 16));
    // The key-set pages come after the inputs and the root, before the first output.
    expect(pages.indexOf('Input1FROSTkeyset')).toBeGreaterThan(pages.indexOf('Totalin'));
    expect(pages.indexOf('Input1FROSTkeyset')).toBeLessThan(pages.indexOf('Output1amount'));
  });
});

describe('FROST in SIGN_VPSBT: a lying host', () => {
  it('swaps the key package (another key set, or one altered byte): B022, nothing signed', async () => {
    const { a, dkg, signerA, signerC } = await frostKeySet();
    const other = await frostKeySet();
    const packet = packetFor(dkg.keyPackage);
    const c = await committed(packet, dkg.keyPackage, signerA, [signerC]);
    await expect(a.client.signVpsbtFrost(packet, [{ ...c.share, keyPackage: other.dkg.keyPackage }])).rejects.toEqual(status('WrappedShareInvalidError', 0xb022));
    const altered = structuredClone(dkg.keyPackage);
    altered.verifyingShares[2] = dkg.keyPackage.verifyingShares[1]!;
    expect(toHex(encodeKeyPackage(altered))).not.toBe(toHex(encodeKeyPackage(dkg.keyPackage)));
    await expect(a.client.signVpsbtFrost(packet, [{ ...c.share, keyPackage: altered }])).rejects.toEqual(status('WrappedShareInvalidError', 0xb022));
    // The nonce was not touched: the honest stream signs with it.
    const { frostShares } = await a.client.signVpsbtFrost(packet, [c.share]);
    expect(frostShares).toHaveLength(1);
  });

  it("streams the device's share of another key set, whose key is not the input's script key: 6A80", async () => {
    const { dkg } = await frostKeySet();
    // The same device (seed) in a second key set: its wrapped share opens, the key does not match.
    const other = await frostKeySet();
    const packet = packetFor(dkg.keyPackage);
    const c = await committed(packet, other.dkg.keyPackage, other.signerA, [other.signerC]);
    await expect(other.a.client.signVpsbtFrost(packet, [c.share])).rejects.toEqual(status('IncorrectDataError', 0x6a80));
  });

  it('replays a signed stream (B010), streams before any commit (B010), or reorders the commitments (B011, the nonce wiped)', async () => {
    const { a, dkg, signerA, signerC } = await frostKeySet();
    const packet = packetFor(dkg.keyPackage);
    const c = await committed(packet, dkg.keyPackage, signerA, [signerC]);
    await a.client.signVpsbtFrost(packet, [c.share]);
    await expect(a.client.signVpsbtFrost(packet, [c.share])).rejects.toEqual(status('NonceSessionUnknownError', 0xb010));
    await expect(a.client.signVpsbtFrost(packet, [{ ...c.share, handle: new Uint8Array(32).fill(9) }])).rejects.toEqual(status('NonceSessionUnknownError', 0xb010));

    // Two nonces of device A: the stream of the first names the second's commitment as A's.
    const first = await committed(packet, dkg.keyPackage, signerA, [signerC]);
    const second = await committed(packet, dkg.keyPackage, signerA, [signerC]);
    await expect(a.client.signVpsbtFrost(packet, [{ ...first.share, commitments: second.commitments }])).rejects.toEqual(status('NonceSessionMismatchError', 0xb011));
    await expect(a.client.signVpsbtFrost(packet, [first.share])).rejects.toEqual(status('NonceSessionUnknownError', 0xb010));
    await a.client.signVpsbtFrost(packet, [second.share]);
  });

  it('names one unbound nonce in the FROST signers of two inputs: 6A80 before any output page, the nonce kept', async () => {
    const { a, dkg, signerA, signerC } = await frostKeySet();
    const key = concat(Uint8Array.of(0x02), bip86Key(dkg.keyPackage));
    const packet = transferPacket({ inputs: [500n, 600n], recipients: 2, inputScriptKeys: [key, key] });
    const session = { keyPackage: dkg.keyPackage, message: vpsbtInputSighash(packet, 0), tweak: { kind: 'bip86' } as const };
    // Unbound to a message, the nonce passes the check of each input; only one of them could ever sign.
    const own = await signerA.commit(session, { bindMessage: false });
    const c = await signerC.commit(session);
    const share = { handle: own.handle, wrappedShare: signerA.share.wrappedShare, keyPackage: dkg.keyPackage, commitments: [own.commitment, c.commitment] };
    // Before, the device showed and had the whole transfer approved, then answered B010 for input 2.
    await expect(a.client.signVpsbtFrost(packet, [{ ...share, input: 0 }, { ...share, input: 1 }])).rejects.toEqual(status('IncorrectDataError', 0x6a80));
    const { frostShares } = await a.client.signVpsbtFrost(packet, [{ ...share, input: 1 }]);
    expect(frostShares.map((s) => s.input)).toEqual([1]);
  });

  it('uses a nonce committed for another vPSBT: B011 (the device derives this one\'s sighash itself)', async () => {
    const { a, dkg, signerA, signerC } = await frostKeySet();
    const x = packetFor(dkg.keyPackage, 1000n);
    const y = packetFor(dkg.keyPackage, 999n);
    const c = await committed(x, dkg.keyPackage, signerA, [signerC]);
    await expect(a.client.signVpsbtFrost(y, [c.share])).rejects.toEqual(status('NonceSessionMismatchError', 0xb011));
  });

  it('the orchestrator names a participant whose share is for another vPSBT or replayed from an earlier session', async () => {
    const { dkg, signerA, signerC } = await frostKeySet();
    const packet = packetFor(dkg.keyPackage);
    // Software C answers with a share over another message: the share check names it.
    const stale: FrostSigner = {
      name: 'software C (stale)',
      index: signerC.index,
      async commit(session) {
        const c = await signerC.commit({ ...session, message: vpsbtInputSighash(packetFor(dkg.keyPackage, 999n), 0) });
        return c;
      },
    };
    await expect(signVpsbtFrostInput(packet, 0, dkg.keyPackage, [signerA, stale])).rejects.toMatchObject({ name: 'InvalidSignatureShareError', participant: 'software C (stale)', index: 3 });
    // Device A's share of an earlier session, replayed by a host into this one: named too.
    let replay: Uint8Array | undefined;
    const replaying: FrostSigner = {
      name: 'device A (replayed)',
      index: signerA.index,
      async commit(session) {
        const c = await signerA.commit(session);
        return { commitment: c.commitment, sign: async (list) => (replay ??= await c.sign(list)) };
      },
    };
    await signVpsbtFrostInput(packet, 0, dkg.keyPackage, [replaying, signerC]);
    await expect(signVpsbtFrostInput(packet, 0, dkg.keyPackage, [replaying, signerC])).rejects.toMatchObject({ name: 'InvalidSignatureShareError', participant: 'device A (replayed)', index: 1 });
  });

  it('a lying device: a FROST share that does not verify is refused by the client and the participant named', async () => {
    const { a, dkg, signerA, signerC } = await frostKeySet();
    // Device A's transport flips a bit of the share in the SIGN_VPSBT result entry 04.
    const lying = new TapAppClient(
      new LoopbackTransport({
        async exchange(apdu, o) {
          const r = await a.device.exchange(apdu, o);
          if (apdu[1] === 0x30 && r.length === 3 + 32 + 2 && r[1] === 0x04) r[34]! ^= 1;
          return r;
        },
      }),
    );
    const signer = new DeviceFrostSigner(lying, 'device A (lying)', signerA.share);
    const err = await signVpsbtFrostInput(packetFor(dkg.keyPackage), 0, dkg.keyPackage, [signer, signerC]).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'FrostParticipantError', participant: 'device A (lying)', index: 1, cause: { code: 'E_DEVICE_RESPONSE' } });
    expect(String((err as Error).cause)).toMatch(/verify_signature_share/);
  });

  it('refuses before any device is asked: an input whose script key is not the key set\'s, or that signs with SIGHASH_ALL', async () => {
    const { dkg, signerA, signerB } = await frostKeySet();
    const other = await frostKeySet();
    await expect(signVpsbtFrostInput(packetFor(other.dkg.keyPackage), 0, dkg.keyPackage, [signerA, signerB])).rejects.toMatchObject({ name: 'FrostSessionError' });
    const all = packetFor(dkg.keyPackage);
    all.inputs[0]!.sighashType = 1;
    await expect(signVpsbtFrostInput(all, 0, dkg.keyPackage, [signerA, signerB])).rejects.toMatchObject({ name: 'FrostSessionError' });
  });
});
