// SIGN_VPSBT version 1 (docs/tap-app-protocol.md Appendix A, P2 = 1; version 2 is
// sign-vpsbt-stream.ts): commit-and-reveal streaming of a vPSBT, the split pass proving that every
// output shown is bound by the signed root (split-check.ts), review of its display model, then a
// second pass that must read exactly what the first one did (same review digest) before the device
// signs, over the virtual-transaction sighash it computes itself (assets/vtx), every input whose
// script key it holds, and takes part in MuSig2 script keys by rounds (vpsbt-musig.ts). The review
// pages come from assets/display's TransferReviewBuilder, the one the host's preview (describeVPacket) runs.

import { sha256 } from '@noble/hashes/sha2.js';
import { equal, u32be } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { signVpsbt, encodeSignVpsbtYield } from '../../../apdu/tap-app/sign-vpsbt.ts';
import { TAP_SW } from '../../../apdu/tap-app/status.ts';
import { decodeAddressTlv, parseCourierUrl } from '../../../assets/address/address.ts';
import { TransferReviewBuilder, isSignedRoot, type TransferOutput } from '../../../assets/display/transfer-review.ts';
import { decodeTapscriptPreimage } from '../../../assets/tapscript-preimage.ts';
import { checkPubKey, decodeU64, decodeU8 } from '../../../assets/tlv/values.ts';
import { chainParamsForHrp } from '../../../assets/address/params.ts';
import { decodeAsset, type Asset } from '../../../assets/asset/leaf.ts';
import { decodePrevId, type PrevId } from '../../../assets/asset/prev-id.ts';
import { AssetVerifyError } from '../../../assets/errors.ts';
import { decodeTapBip32, type TaprootBip32Derivation } from '../../../assets/vpsbt/derivation.ts';
import { inputPrevOut, virtualTx, virtualTxSighash } from '../../../assets/vtx/virtual-tx.ts';
import type { ReviewFlow, ReviewPair } from '../../ui/review.ts';
import type { TapCommand, TapHandler } from './command.ts';
import { decodeBody } from './decode.ts';
import { TapError, denied, incorrectData } from './errors.ts';
import { checkCoinTypes, heldScriptKey, signWithScriptKey, type HeldScriptKey } from './script-key.ts';
import { checkSplitOutputs, type SignedRoot } from './split-check.ts';
import { Scope, VpsbtReader } from './vpsbt-reader.ts';
import { pullAsset } from './asset-stream.ts';
import { PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS, PSBT_IN_MUSIG2_PUB_NONCE, musigPartialSignature, musigPubNonce, ownParticipantPath, readMusigInput, type MusigMarker } from './vpsbt-musig.ts';
import { popSession, storeSession, type MusigSession } from '../common/musig-sessions.ts';

type Request = ReturnType<typeof signVpsbt.decodeRequest>;

const K = (type: number, data?: Uint8Array): Uint8Array => (data ? Uint8Array.of(type, ...data) : Uint8Array.of(type));

interface InputRecord {
  prevId: PrevId;
  asset: Asset;
  derivations: TaprootBip32Derivation[];
  tweak: Uint8Array | undefined;
  sighashType: number;
  /** BIP-373 MuSig2 fields seen among its keys (not part of the review digest). */
  musig: MusigMarker | undefined;
}

interface Walk {
  digest: Uint8Array;
  pairs: ReviewPair[];
  warnings: string[];
  inputs: InputRecord[];
  root: SignedRoot;
}

/** Runs a decoder from assets/ on a host value: any decoding failure is 6A80 (§3). */
function parse<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CodecError || e instanceof AssetVerifyError || e instanceof RangeError) throw incorrectData(`${what}: ${e.message}`);
    throw e;
  }
}

function required<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw incorrectData(`${what}: expected the field, got none`);
  return v;
}

async function walk(cmd: TapCommand, req: Request, reader: VpsbtReader): Promise<Walk> {
  const g = { map: { size: req.globalMap.size, keysRoot: req.globalMap.keysRoot, valuesRoot: req.globalMap.valuesRoot }, keys: [] as Uint8Array[] };
  if (!(await cmd.host.checkSorted(g.map.keysRoot, g.map.size, async (k) => void (k.length === 1 && g.keys.push(k.slice())))))
    throw incorrectData('global map: keys do not verify');
  const gv = (type: number, what: string) => reader.value(g.map, g.keys, Scope.global, 0, K(type), what);
  const isVirtual = required(await gv(0x70, 'global.isVirtualTx'), 'global.isVirtualTx');
  if (isVirtual.length !== 1 || isVirtual[0] !== 1) throw incorrectData('global.isVirtualTx: expected 01');
  const hrp = new TextDecoder().decode(required(await gv(0x71, 'global.chainParamsHrp'), 'global.chainParamsHrp'));
  const net = parse('global.chainParamsHrp', () => chainParamsForHrp(hrp));
  const version = await gv(0x72, 'global.psbtVersion');
  if (version !== undefined) parse('global.psbtVersion', () => decodeU8(version, 'global.psbtVersion'));

  const pairs: ReviewPair[] = [];
  const warnings: string[] = [];
  // The pages come from the builder the host's preview runs too (assets/display); it refuses what the signature would not bind.
  const review = parse('review', () =>
    new TransferReviewBuilder(hrp, { inputs: req.inputCount, outputs: req.outputCount }, {
      item: (item, value) => pairs.push({ item, value }),
      warning: (text) => warnings.push(text),
    }),
  );
  const inputs: InputRecord[] = [];
  for (let i = 0; i < req.inputCount; i++) {
    const what = `inputs[${i}]`;
    const { map, keys, types } = await reader.map(req.inputsRoot, req.inputCount, i, what);
    const v = (key: Uint8Array, w: string) => reader.value(map, keys, Scope.input, i, key, `${what}.${w}`);
    const prevIdBytes = required(await v(K(0x70), 'prevId'), `${what}.prevId`);
    const prevId = parse(`${what}.prevId`, () => decodePrevId(prevIdBytes));
    const assetBytes = required(await v(K(0x79), 'asset'), `${what}.asset`);
    const asset = parse(`${what}.asset`, () => decodeAsset(assetBytes));
    const derivations: TaprootBip32Derivation[] = [];
    for (const key of keys.filter((k) => k[0] === 0x16 && k.length === 33)) {
      const value = required(await v(key, 'tapBip32Derivation'), `${what}.tapBip32Derivation`);
      derivations.push(parse(`${what}.tapBip32Derivation`, () => decodeTapBip32(key.subarray(1), value, `${what}.tapBip32Derivation`)));
    }
    checkCoinTypes(cmd.ctx, net, derivations, `${what}.tapBip32Derivation`);
    const tweak = await v(K(0x18), 'tapMerkleRoot');
    const sighash = await v(K(0x03), 'sighashType');
    let sighashType = 0;
    if (sighash !== undefined) {
      if (sighash.length !== 4) throw incorrectData(`${what}.sighashType: expected 4 bytes, got ${sighash.length}`);
      sighashType = new DataView(sighash.buffer, sighash.byteOffset, 4).getUint32(0, true);
      if (sighashType !== 0 && sighashType !== 1) throw incorrectData(`${what}.sighashType: expected DEFAULT or ALL, got ${sighashType}`);
    }
    const aggregates = keys.filter((k) => k[0] === PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS);
    if (aggregates.length > 1) throw incorrectData(`${what}: expected one MuSig2 aggregate, got ${aggregates.length}`);
    const musig = aggregates[0] && { aggregate: aggregates[0].subarray(1), hasNonces: types.has(PSBT_IN_MUSIG2_PUB_NONCE) };
    reader.retain(prevIdBytes.length + assetBytes.length + 32 + derivations.length * 64 + (musig ? 34 : 0));
    inputs.push({ prevId, asset, derivations, tweak, sighashType, musig });
    parse(what, () => review.addInput({ prevId, asset }));
  }

  let root: SignedRoot | undefined;
  for (let j = 0; j < req.outputCount; j++) {
    const what = `outputs[${j}]`;
    const { map, keys } = await reader.map(req.outputsRoot, req.outputCount, j, what);
    const v = (key: Uint8Array, w: string) => reader.value(map, keys, Scope.output, j, key, `${what}.${w}`);
    // An output's asset carries its split proof, which grows with the number of outputs: streamed, never held.
    const asset = required(
      await reader.streamValue(map, keys, Scope.output, j, K(0x76), `${what}.asset`, (s) => pullAsset(s, `${what}.asset`)),
      `${what}.asset`,
    );
    const typeBytes = required(await v(K(0x70), 'type'), `${what}.type`);
    const type = parse(`${what}.type`, () => decodeU8(typeBytes, `${what}.type`));
    const interactiveBytes = required(await v(K(0x71), 'isInteractive'), `${what}.isInteractive`);
    parse(`${what}.isInteractive`, () => decodeU8(interactiveBytes, `${what}.isInteractive`));
    const anchorBytes = required(await v(K(0x72), 'anchorOutputIndex'), `${what}.anchorOutputIndex`);
    const anchorOutputIndex = parse(`${what}.anchorOutputIndex`, () => decodeU64(anchorBytes, `${what}.anchorOutputIndex`));
    const lockBytes = await v(K(0x7c), 'lockTime');
    const relBytes = await v(K(0x7d), 'relativeLockTime');
    const courierBytes = await v(K(0x7a), 'proofDeliveryAddress');
    const addressBytes = await v(K(0x7f), 'address');
    const internalKeyBytes = await v(K(0x73), 'anchorOutputInternalKey');
    const siblingBytes = await v(K(0x78), 'anchorOutputTapscriptSibling');
    const ownDerivations: TaprootBip32Derivation[] = [];
    for (const key of keys.filter((k) => k[0] === 0x07 && k.length === 33)) {
      const value = required(await v(key, 'tapBip32Derivation'), `${what}.tapBip32Derivation`);
      ownDerivations.push(parse(`${what}.tapBip32Derivation`, () => decodeTapBip32(key.subarray(1), value, `${what}.tapBip32Derivation`)));
    }
    checkCoinTypes(cmd.ctx, net, ownDerivations, `${what}.tapBip32Derivation`);
    const out: TransferOutput = {
      asset,
      type,
      anchorOutputIndex,
      change: !!heldScriptKey(cmd.ctx, ownDerivations, asset.scriptKey.subarray(1)),
    };
    if (lockBytes) out.lockTime = parse(`${what}.lockTime`, () => decodeU64(lockBytes, `${what}.lockTime`));
    if (relBytes) out.relativeLockTime = parse(`${what}.relativeLockTime`, () => decodeU64(relBytes, `${what}.relativeLockTime`));
    if (courierBytes) out.proofCourier = parse(`${what}.proofDeliveryAddress`, () => parseCourierUrl(courierBytes, `${what}.proofDeliveryAddress`));
    if (addressBytes) out.address = parse(`${what}.address`, () => decodeAddressTlv(addressBytes, `${what}.address`));
    if (internalKeyBytes) out.anchorInternalKey = parse(`${what}.anchorOutputInternalKey`, () => checkPubKey(internalKeyBytes, `${what}.anchorOutputInternalKey`, false));
    if (siblingBytes) out.anchorTapscriptSibling = parse(`${what}.anchorOutputTapscriptSibling`, () => decodeTapscriptPreimage(siblingBytes, `${what}.anchorOutputTapscriptSibling`));

    // The asset whose virtual tx the inputs sign: the split root, or the only output (§5.5 step 3).
    if (isSignedRoot(type, req.outputCount) && !root) {
      // The signed root does not grow with the outputs (it commits to them by one MS-SMT root): kept whole.
      const bytes = required(await reader.lookup(map, K(0x76)), `${what}.asset`);
      out.root = parse(`${what}.asset`, () => decodeAsset(bytes));
      root = { asset: out.root, bytes, outputIndex: j, totalIn: inputs.reduce((t, vin) => t + vin.asset.amount, 0n) };
      reader.retain(bytes.length);
    }
    parse(what, () => review.addOutput(out));
  }
  reader.endMap();
  parse('outputs', () => review.finish());
  // Outputs that do not add up to the inputs are refused (builder, split pass), never shown as a warning.
  reader.note(u32be(req.inputCount));
  reader.note(u32be(req.outputCount));
  return { digest: reader.finish(), pairs, warnings, inputs, root: root! };
}

function transferReview(pairs: ReviewPair[]): ReviewFlow {
  return {
    intro: 'Review asset transfer',
    pairs,
    finish: { text: 'Sign asset transfer', action: 'hold' },
    approved: 'Asset transfer signed',
    rejected: 'Asset transfer rejected',
    reject: 'Reject transfer',
  };
}

/** The inputs the device signs for: single script keys it derives, and MuSig2 aggregates it takes part in. */
function heldInputs(cmd: TapCommand, inputs: readonly InputRecord[]) {
  const single: [number, HeldScriptKey, InputRecord][] = [];
  const musig: [number, number[], InputRecord][] = [];
  inputs.forEach((vin, i) => {
    const key = heldScriptKey(cmd.ctx, vin.derivations, vin.prevId.scriptKey.subarray(1), vin.tweak);
    if (key) single.push([i, key, vin]);
    const own = vin.musig && ownParticipantPath(cmd.ctx, vin.derivations);
    if (own && !key) musig.push([i, own, vin]);
  });
  return { single, musig };
}

export const signVpsbtHandler: TapHandler = async (cmd) => {
  const req = decodeBody(signVpsbt, cmd.body);
  const first = new VpsbtReader(cmd.host);
  cmd.state.lastVpsbtStats = first.stats;
  const review = await walk(cmd, req, first);
  await checkSplitOutputs(first, req, review.root);
  // MuSig2 rounds are chosen for the whole packet, as the Bitcoin app does: round 2 once any input carries pubnonces.
  const round2 = review.inputs.some((vin) => vin.musig?.hasNonces);
  const sessionId = sha256(review.digest);
  const plan = heldInputs(cmd, review.inputs);
  const nonceYield = async (session: MusigSession, reader: VpsbtReader, inputs: typeof plan.musig) => {
    for (const [i, ownPath, vin] of inputs) {
      const m = await readMusigInput(cmd.ctx, reader, req, i, { marker: vin.musig!, ownPath, scriptKeyXOnly: vin.prevId.scriptKey.subarray(1), tweak: vin.tweak });
      await cmd.host.yieldData(
        encodeSignVpsbtYield({ type: 'musigPubNonce', inputIndex: i, pubnonce: musigPubNonce(cmd.ctx, session, m), participantPubkey: m.ownKey, aggregatePubkey: m.aggregate }),
      );
    }
  };
  // A round 1 with nothing else to sign commits to nothing: no review (§7 rule 1), as in the Bitcoin app.
  if (!round2 && plan.single.length === 0 && plan.musig.length > 0) {
    popSession(cmd.ctx.nvram, sessionId);
    const session = { id: sessionId, randRoot: cmd.ctx.random(32) };
    await nonceYield(session, first, plan.musig);
    storeSession(cmd.ctx.nvram, session);
    return signVpsbt.encodeResponse(undefined);
  }
  for (const text of review.warnings) if (!(await cmd.ctx.warn({ title: 'Warning', text }))) throw denied();
  if (!(await cmd.ctx.review(transferReview(review.pairs)))) throw denied();

  // §5.5 step 3: read everything again; a host that answers differently now gets no signature.
  const second = new VpsbtReader(cmd.host);
  const signing = await walk(cmd, req, second);
  cmd.state.lastVpsbtStats = {
    peakValueBytes: Math.max(first.stats.peakValueBytes, second.stats.peakValueBytes),
    clientCommands: second.stats.clientCommands,
  };
  if (!equal(signing.digest, review.digest)) throw incorrectData('the vPSBT changed between the review and the signing pass');

  const { single, musig } = heldInputs(cmd, signing.inputs);
  if (single.length === 0 && musig.length === 0) throw new TapError(TAP_SW.KEY_NOT_HELD, 'no input script key belongs to this device');
  // Round 2 takes the session out of NVRAM before anything is signed: its nonces can never sign twice.
  let session: MusigSession | undefined;
  if (musig.length > 0) {
    if (round2) {
      session = popSession(cmd.ctx.nvram, sessionId);
      if (!session) throw new TapError(TAP_SW.BAD_STATE, 'no MuSig2 session for this vPSBT: run round 1 (again)');
    } else {
      popSession(cmd.ctx.nvram, sessionId);
      session = { id: sessionId, randRoot: cmd.ctx.random(32) };
    }
  }
  const root = signing.root.asset;
  const vtx = parse('virtual transaction', () => virtualTx(root, signing.inputs.map((i) => ({ prevId: i.prevId, asset: i.asset }))));
  const sighashOf = (i: number, vin: InputRecord) =>
    parse(`inputs[${i}] sighash`, () => virtualTxSighash(vtx, root, i, inputPrevOut(vin.asset, `inputs[${i}]`), { sighashType: vin.sighashType }));
  const signatures = single.map(([i, key, vin]) => {
    const sig = signWithScriptKey(cmd.ctx, key, sighashOf(i, vin));
    return encodeSignVpsbtYield({
      type: 'partialSignature',
      inputIndex: i,
      pubkey: key.scriptKey,
      signature: vin.sighashType === 0 ? sig : Uint8Array.of(...sig, vin.sighashType),
    });
  });
  if (musig.length > 0 && round2) {
    for (const [i, ownPath, vin] of musig) {
      if (vin.sighashType !== 0) throw incorrectData(`inputs[${i}].sighashType: a MuSig2 script key signs with SIGHASH_DEFAULT only`);
      const m = await readMusigInput(cmd.ctx, second, req, i, { marker: vin.musig!, ownPath, scriptKeyXOnly: vin.prevId.scriptKey.subarray(1), tweak: vin.tweak });
      const psig = await musigPartialSignature(cmd.ctx, second, req, session!, m, sighashOf(i, vin));
      signatures.push(encodeSignVpsbtYield({ type: 'musigPartialSignature', inputIndex: i, partialSignature: psig, participantPubkey: m.ownKey, aggregatePubkey: m.aggregate }));
    }
  }
  for (const y of signatures) await cmd.host.yieldData(y);
  if (musig.length > 0 && !round2) {
    await nonceYield(session!, second, musig);
    storeSession(cmd.ctx.nvram, session!);
  }
  return signVpsbt.encodeResponse(undefined);
};
