// The host's SIGN_VPSBT v2 encoder (host/tap-app/vpsbt-stream.ts) on the shapes a transfer takes:
// leaves tapd's construction does not reproduce go explicitly (and still rebuild the signed root),
// a burn is declared in the header, an unsplit transfer streams no leaf, MuSig2 inputs carry their
// participants and (round 2) pubnonces, round 1 streams no outputs.

import { describe, expect, it } from 'vitest';
import { concat } from '../../../apdu/bytes.ts';
import { StreamMode, StreamWarning } from '../../../apdu/tap-app/vpsbt-stream.ts';
import { decodeVpsbtStream } from '../../../apdu/tap-app/vpsbt-stream-reader.ts';
import { AssetVerifyError } from '../../../assets/errors.ts';
import { encodeVpsbtStreamFor } from '../../../host/tap-app/vpsbt-stream.ts';
import { withMusigParticipants, withMusigPubNonces } from '../../../host/tap-app/vpsbt-signatures.ts';
import { FINGERPRINT, deviceScriptKey, foreignKey } from '../tap-app/vpsbt-fixture.ts';
import { rebuildSplitRoot } from './device-model.ts';
import { streamedTransfer, unsplitTransfer } from './transfers.ts';

const encode = (p: Parameters<typeof encodeVpsbtStreamFor>[0], mode: 0 | 1 = StreamMode.sign) => encodeVpsbtStreamFor(p, { fingerprint: FINGERPRINT, mode });

describe('SIGN_VPSBT v2 host encoder', () => {
  it('sends a leaf and a root that tapd would not build explicitly; the outputs still rebuild the signed root', () => {
    const p = streamedTransfer(5, { oddRecord: true });
    const enc = encode(p);
    expect(enc.stream.root.form).toBe('explicit');
    const explicit = enc.stream.outputs.filter((o) => o.leaf.form === 'explicit');
    expect(explicit.map((o) => o.anchorOutputIndex)).toEqual([1]);
    expect(decodeVpsbtStream(enc.bytes)).toEqual(enc.stream);
    expect(rebuildSplitRoot({ ...enc.stream, root: { form: 'canonical', version: 0, amount: 0n, lockTime: 0n, relativeLockTime: 0n, scriptKey: new Uint8Array(33) } }).root).toEqual(
      p.outputs[0]!.asset!.splitCommitmentRoot,
    );
  });

  it('declares a burn in the header only when an output pays the burn key', () => {
    expect(encode(streamedTransfer(3, { burn: true })).stream.header.warnings).toBe(StreamWarning.burn);
    expect(encode(streamedTransfer(3)).stream.header.warnings).toBe(0);
  });

  it('streams no leaf for a transfer without split commitment, and refuses one with two outputs and none', () => {
    const enc = encode(unsplitTransfer());
    expect(enc.stream.root.form).toBe('canonical');
    expect('splitRoot' in enc.stream.root).toBe(false);
    expect(enc.stream.outputs).toEqual([{ type: 0, anchorOutputIndex: 0, leaf: { form: 'none' }, changeKeyIndex: 100 }]);
    const two = unsplitTransfer();
    two.outputs.push({ ...two.outputs[0]!, anchorOutputIndex: 1 });
    expect(() => encode(two)).toThrow(/expected at most one split root|none is a split root/);
  });

  it('MuSig2 inputs: participants in their order; round 2 their pubnonces, round 1 none, no single-key signer and no outputs', () => {
    const own = deviceScriptKey(0).derivation;
    const participants = [foreignKey(70), concat(Uint8Array.of(0x02), own.xOnlyPubKey)];
    let p = withMusigParticipants(streamedTransfer(2), 0, participants, [own]);
    expect(() => encode(p)).toThrow(AssetVerifyError);
    expect(() => encode(p)).toThrow(/inputs\[0\]\.musig2PubNonce: expected the pubnonce of participant [0-9a-f]{66}, got none \(run MuSig2 round 1 first\)/);
    const round1 = encode(p, StreamMode.musigRound1);
    expect(round1.stream.outputs).toEqual([]);
    // §5.5.7: round 1 names the MuSig2 signer only; the device's BIP-86 input 1 waits for round 2.
    expect(round1.stream.signers).toMatchObject([{ input: 0, participants, pubnonces: [] }]);
    expect(decodeVpsbtStream(round1.bytes)).toEqual(round1.stream);
    const nonces = participants.map((participant, i) => ({ participant, pubnonce: new Uint8Array(66).fill(i + 1) }));
    p = withMusigPubNonces(p, 0, new Uint8Array(33).fill(2), [...nonces].reverse());
    const round2 = encode(p);
    expect(round2.stream.signers[0]!.pubnonces).toEqual(nonces.map((n) => n.pubnonce));
    expect(round2.stream.signers[1]).toMatchObject({ input: 1, participants: [], pubnonces: [] });
  });

  it('refuses a round 1 that would name no signer: a MuSig2 input whose device derivation is not a script-key path', () => {
    const own = deviceScriptKey(0).derivation;
    const participants = [foreignKey(70), concat(Uint8Array.of(0x02), own.xOnlyPubKey)];
    const p = withMusigParticipants(streamedTransfer(2), 0, participants, [{ ...own, path: [86 + 0x80000000, 1 + 0x80000000, 0x80000000, 0, 0] }]);
    expect(() => encode(p, StreamMode.musigRound1)).toThrow(AssetVerifyError);
    expect(() => encode(p, StreamMode.musigRound1)).toThrow(/^inputs: expected a MuSig2 input with this device's script key at m\/1017'\/1'\/212'\/0\/i among its derivations, got none/);
  });

  it('names no signer for keys of another device or of another network', () => {
    const p = streamedTransfer(1);
    expect(encodeVpsbtStreamFor(p, { fingerprint: Uint8Array.of(1, 2, 3, 4) }).stream.signers).toEqual([]);
    expect(encode({ ...p, chainHrp: 'tapbc' }).stream.signers).toEqual([]);
  });
});
