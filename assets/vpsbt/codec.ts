// vPSBT codec (tappsbt/encode.go, decode.go): VPacket <-> PSBTv0 bytes. tapd always writes some
// custom fields (prev ID, anchor value/pkScript/sighash/merkle root/sibling; output type,
// interactive flag, anchor index, asset version, lock times), so decoding requires them, and it
// refuses empty values for optional fields, which tapd skips on decode but never writes. The output
// lock times arrived later (packets from older tapd lack them), so their absence is kept. Together
// with the map order rules this makes decode -> encode the identity on every accepted packet.

import { concat, u32le, u64be, utf8 } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { decodeAsset, encodeAsset } from '../asset/leaf.ts';
import { decodeAltLeaves, encodeAltLeaves } from '../asset/alt-leaf.ts';
import { PREV_ID_LENGTH, decodePrevId, encodePrevId } from '../asset/prev-id.ts';
import { decodeAddressTlv, encodeAddressTlv, parseCourierUrl } from '../address/address.ts';
import { chainParamsForHrp } from '../address/params.ts';
import { decodeTapscriptPreimage, encodeTapscriptPreimage } from '../tapscript-preimage.ts';
import { checkPubKey, decodeU64, decodeU8 } from '../tlv/values.ts';
import { liftX } from '../crypto.ts';
import { decodeBip32, decodeTapBip32, encodeBip32Value, encodeTapBip32Value } from './derivation.ts';
import { GlobalKey, InputKey, OutputKey } from './fields.ts';
import { decodeRawPsbt, encodeRawPsbt, type PsbtField, type RawUnsignedTx } from './psbt-map.ts';
import type { ScriptKeyFields, VInput, VOutput, VPacket } from './packet.ts';

const INT64_MAX = 0x7fffffffffffffffn;

type Handler = (keyData: Uint8Array, value: Uint8Array, field: string) => void;

/** Dispatches the fields of one map by key type; keys with data only where the table says so. */
function dispatch(fields: PsbtField[], what: string, single: Record<number, [string, Handler]>, keyed: Record<number, [string, Handler]>, other: PsbtField[]): Set<number> {
  const seen = new Set<number>();
  for (const f of fields) {
    const type = f.key[0]!;
    const data = f.key.subarray(1);
    const k = keyed[type];
    const s = single[type];
    if (k) k[1](data, f.value, `${what}.${k[0]}`);
    else if (s && data.length === 0) s[1](data, f.value, `${what}.${s[0]}`);
    else if (s) throw new CodecError(`${what}.${s[0]}: expected no key data, got ${data.length} bytes`);
    else {
      other.push(f);
      continue;
    }
    seen.add(type);
  }
  return seen;
}

function requireFields(seen: Set<number>, required: Record<string, number>, what: string): void {
  for (const [name, key] of Object.entries(required))
    if (!seen.has(key)) throw new CodecError(`${what}.${name}: expected field 0x${key.toString(16)}, got none`);
}

function nonEmpty(v: Uint8Array, field: string): Uint8Array {
  if (v.length === 0) throw new CodecError(`${field}: expected a value (tapd omits absent fields), got an empty one`);
  return v;
}

function scriptKeyHandlers(t: ScriptKeyFields, bip32: number, tapBip32: number, internal: number): { keyed: Record<number, [string, Handler]>; single: Record<number, [string, Handler]> } {
  return {
    keyed: {
      [bip32]: ['bip32Derivation', (d, v, f) => t.bip32Derivation.push(decodeBip32(d, v, f))],
      [tapBip32]: ['trBip32Derivation', (d, v, f) => t.trBip32Derivation.push(decodeTapBip32(d, v, f))],
    },
    single: {
      [internal]: [
        'trInternalKey',
        (_d, v, f) => {
          liftX(v, f);
          t.trInternalKey = v;
        },
      ],
    },
  };
}

function decodeInput(fields: PsbtField[], what: string): VInput {
  const vin: VInput = {
    prevId: undefined as never,
    anchor: { value: 0n, pkScript: new Uint8Array(), sigHashType: 0n, merkleRoot: new Uint8Array(), tapscriptSibling: new Uint8Array(), bip32Derivation: [], trBip32Derivation: [] },
    bip32Derivation: [],
    trBip32Derivation: [],
    other: [],
  };
  const sk = scriptKeyHandlers(vin, InputKey.bip32Derivation, InputKey.tapBip32Derivation, InputKey.tapInternalKey);
  const a = vin.anchor;
  const seen = dispatch(
    fields,
    what,
    {
      ...sk.single,
      [InputKey.sighashType]: [
        'sighashType',
        (_d, v, f) => {
          if (v.length !== 4) throw new CodecError(`${f}: expected 4 bytes, got ${v.length}`);
          vin.sighashType = new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
        },
      ],
      [InputKey.tapMerkleRoot]: ['trMerkleRoot', (_d, v) => (vin.trMerkleRoot = v)],
      [InputKey.prevId]: [
        'prevId',
        (_d, v, f) => {
          if (v.length !== PREV_ID_LENGTH) throw new CodecError(`${f}: expected ${PREV_ID_LENGTH} bytes, got ${v.length}`);
          vin.prevId = decodePrevId(v, f);
        },
      ],
      [InputKey.anchorValue]: ['anchor.value', (_d, v, f) => (a.value = int64(decodeU64(v, f), f))],
      [InputKey.anchorPkScript]: ['anchor.pkScript', (_d, v) => (a.pkScript = v)],
      [InputKey.anchorSigHashType]: ['anchor.sigHashType', (_d, v, f) => (a.sigHashType = decodeU64(v, f))],
      [InputKey.anchorInternalKey]: ['anchor.internalKey', (_d, v, f) => (a.internalKey = checkPubKey(v, f, false))],
      [InputKey.anchorMerkleRoot]: ['anchor.merkleRoot', (_d, v) => (a.merkleRoot = v)],
      [InputKey.anchorTapscriptSibling]: ['anchor.tapscriptSibling', (_d, v) => (a.tapscriptSibling = v)],
      [InputKey.asset]: ['asset', (_d, v, f) => (vin.asset = decodeAsset(nonEmpty(v, f), f))],
      [InputKey.assetProof]: ['proof', (_d, v, f) => (vin.proof = nonEmpty(v, f))],
    },
    {
      ...sk.keyed,
      [InputKey.anchorBip32Derivation]: ['anchor.bip32Derivation', (d, v, f) => a.bip32Derivation.push(decodeBip32(d, v, f))],
      [InputKey.anchorTapBip32Derivation]: ['anchor.trBip32Derivation', (d, v, f) => a.trBip32Derivation.push(decodeTapBip32(d, v, f))],
    },
    vin.other,
  );
  requireFields(
    seen,
    { prevId: InputKey.prevId, 'anchor.value': InputKey.anchorValue, 'anchor.pkScript': InputKey.anchorPkScript, 'anchor.sigHashType': InputKey.anchorSigHashType, 'anchor.merkleRoot': InputKey.anchorMerkleRoot, 'anchor.tapscriptSibling': InputKey.anchorTapscriptSibling },
    what,
  );
  return vin;
}

function decodeOutput(fields: PsbtField[], txOut: RawUnsignedTx['outputs'][number], hrp: string, what: string): VOutput {
  if (txOut.amount > INT64_MAX) throw new CodecError(`${what}.amount: expected at most 2^63-1, got ${txOut.amount}`);
  const script = txOut.script;
  if (script.length !== 34 || script[0] !== 0x51 || script[1] !== 0x20)
    throw new CodecError(`${what}.scriptKey: expected a 34-byte OP_1 <32-byte key> output script, got ${script.length} bytes`);
  const scriptKey = script.subarray(2);
  liftX(scriptKey, `${what}.scriptKey`);
  const out: VOutput = {
    amount: txOut.amount,
    scriptKey,
    type: 0,
    interactive: false,
    anchorOutputIndex: 0,
    anchorOutputBip32Derivation: [],
    anchorOutputTrBip32Derivation: [],
    assetVersion: 0,
    bip32Derivation: [],
    trBip32Derivation: [],
    other: [],
  };
  const sk = scriptKeyHandlers(out, OutputKey.bip32Derivation, OutputKey.tapBip32Derivation, OutputKey.tapInternalKey);
  const seen = dispatch(
    fields,
    what,
    {
      ...sk.single,
      [OutputKey.type]: ['type', (_d, v, f) => (out.type = decodeU8(v, f))],
      [OutputKey.isInteractive]: [
        'interactive',
        (_d, v, f) => {
          if (v.length !== 1 || v[0]! > 1) throw new CodecError(`${f}: expected 00 or 01, got ${v.length} bytes`);
          out.interactive = v[0] === 1;
        },
      ],
      [OutputKey.anchorOutputIndex]: [
        'anchorOutputIndex',
        (_d, v, f) => {
          const n = decodeU64(v, f);
          if (n > 0xffffffffn) throw new CodecError(`${f}: expected an output index below 2^32, got ${n}`);
          out.anchorOutputIndex = Number(n);
        },
      ],
      [OutputKey.anchorOutputInternalKey]: ['anchorOutputInternalKey', (_d, v, f) => (out.anchorOutputInternalKey = checkPubKey(v, f, false))],
      [OutputKey.asset]: ['asset', (_d, v, f) => (out.asset = decodeAsset(nonEmpty(v, f), f))],
      [OutputKey.splitAsset]: ['splitAsset', (_d, v, f) => (out.splitAsset = decodeAsset(nonEmpty(v, f), f))],
      [OutputKey.anchorTapscriptSibling]: ['anchorOutputTapscriptSibling', (_d, v, f) => (out.anchorOutputTapscriptSibling = decodeTapscriptPreimage(v, f))],
      [OutputKey.assetVersion]: ['assetVersion', (_d, v, f) => (out.assetVersion = decodeU8(v, f))],
      [OutputKey.proofDeliveryAddress]: ['proofDeliveryAddress', (_d, v, f) => (out.proofDeliveryAddress = parseCourierUrl(nonEmpty(v, f), f))],
      [OutputKey.proofSuffix]: ['proofSuffix', (_d, v, f) => (out.proofSuffix = nonEmpty(v, f))],
      [OutputKey.lockTime]: ['lockTime', (_d, v, f) => (out.lockTime = decodeU64(v, f))],
      [OutputKey.relativeLockTime]: ['relativeLockTime', (_d, v, f) => (out.relativeLockTime = decodeU64(v, f))],
      [OutputKey.altLeaves]: ['altLeaves', (_d, v, f) => (out.altLeaves = decodeAltLeaves(nonEmpty(v, f), f))],
      [OutputKey.address]: [
        'address',
        (_d, v, f) => {
          chainParamsForHrp(hrp, f);
          out.address = decodeAddressTlv(nonEmpty(v, f), f);
        },
      ],
    },
    {
      ...sk.keyed,
      [OutputKey.anchorBip32Derivation]: ['anchorOutputBip32Derivation', (d, v, f) => out.anchorOutputBip32Derivation.push(decodeBip32(d, v, f))],
      [OutputKey.anchorTapBip32Derivation]: ['anchorOutputTrBip32Derivation', (d, v, f) => out.anchorOutputTrBip32Derivation.push(decodeTapBip32(d, v, f))],
    },
    out.other,
  );
  requireFields(
    seen,
    { type: OutputKey.type, interactive: OutputKey.isInteractive, anchorOutputIndex: OutputKey.anchorOutputIndex, assetVersion: OutputKey.assetVersion },
    what,
  );
  return out;
}

function int64(n: bigint, what: string): bigint {
  if (n > INT64_MAX) throw new CodecError(`${what}: expected at most 2^63-1, got ${n}`);
  return n;
}

export function decodeVPacket(bytes: Uint8Array, what = 'vpsbt'): VPacket {
  const raw = decodeRawPsbt(bytes, what);
  const tx = raw.unsignedTx;
  if (tx.version !== 2) throw new CodecError(`${what}.unsignedTx.version: expected 2, got ${tx.version}`);
  if (tx.lockTime !== 0) throw new CodecError(`${what}.unsignedTx.lockTime: expected 0, got ${tx.lockTime}`);
  tx.inputs.forEach((i, n) => {
    if (i.index !== 0 || i.sequence !== 0 || i.finalScriptSig.length !== 0 || i.txid.some((b: number) => b !== 0))
      throw new CodecError(`${what}.unsignedTx.inputs[${n}]: expected the empty TxIn tapd writes (zero outpoint, sequence 0)`);
  });
  const globalOther: PsbtField[] = [];
  let isVirtual: Uint8Array | undefined;
  let hrp: string | undefined;
  let version: number | undefined;
  const seen = dispatch(
    raw.global,
    `${what}.global`,
    {
      [GlobalKey.isVirtualTx]: ['isVirtualTx', (_d, v) => (isVirtual = v)],
      [GlobalKey.chainParamsHrp]: [
        'chainParamsHrp',
        (_d, v, f) => {
          let s: string;
          try {
            s = utf8.decode(v);
          } catch {
            throw new CodecError(`${f}: expected ASCII, got invalid UTF-8`);
          }
          hrp = chainParamsForHrp(s, f).hrp;
        },
      ],
      [GlobalKey.psbtVersion]: ['psbtVersion', (_d, v, f) => (version = decodeU8(v, f))],
    },
    {},
    globalOther,
  );
  requireFields(seen, { isVirtualTx: GlobalKey.isVirtualTx, chainParamsHrp: GlobalKey.chainParamsHrp, psbtVersion: GlobalKey.psbtVersion }, `${what}.global`);
  if (isVirtual!.length !== 1 || isVirtual![0] !== 1) throw new CodecError(`${what}.global.isVirtualTx: expected 01, got another value (not a virtual transaction)`);
  if (version! > 1) throw new CodecError(`${what}.global.psbtVersion: expected 0 or 1, got ${version}`);
  return {
    version: version!,
    chainHrp: hrp!,
    inputs: raw.inputs.map((f, i) => decodeInput(f, `${what}.inputs[${i}]`)),
    outputs: raw.outputs.map((f, i) => decodeOutput(f, tx.outputs[i]!, hrp!, `${what}.outputs[${i}]`)),
    globalOther,
  };
}

const field = (type: number, value: Uint8Array, keyData: Uint8Array = new Uint8Array()): PsbtField => ({ key: concat(Uint8Array.of(type), keyData), value });

function scriptKeyFields(t: ScriptKeyFields, bip32: number, tapBip32: number, internal: number): PsbtField[] {
  return [
    ...t.bip32Derivation.map((d) => field(bip32, encodeBip32Value(d), d.pubKey)),
    ...t.trBip32Derivation.map((d) => field(tapBip32, encodeTapBip32Value(d), d.xOnlyPubKey)),
    ...(t.trInternalKey ? [field(internal, t.trInternalKey)] : []),
    ...t.other,
  ];
}

function encodeInput(i: VInput): PsbtField[] {
  const a = i.anchor;
  const f = scriptKeyFields(i, InputKey.bip32Derivation, InputKey.tapBip32Derivation, InputKey.tapInternalKey);
  if (i.sighashType !== undefined) f.push(field(InputKey.sighashType, u32le(i.sighashType)));
  if (i.trMerkleRoot) f.push(field(InputKey.tapMerkleRoot, i.trMerkleRoot));
  f.push(
    field(InputKey.prevId, encodePrevId(i.prevId)),
    field(InputKey.anchorValue, u64be(a.value)),
    field(InputKey.anchorPkScript, a.pkScript),
    field(InputKey.anchorSigHashType, u64be(a.sigHashType)),
    field(InputKey.anchorMerkleRoot, a.merkleRoot),
    field(InputKey.anchorTapscriptSibling, a.tapscriptSibling),
    ...a.bip32Derivation.map((d) => field(InputKey.anchorBip32Derivation, encodeBip32Value(d), d.pubKey)),
    ...a.trBip32Derivation.map((d) => field(InputKey.anchorTapBip32Derivation, encodeTapBip32Value(d), d.xOnlyPubKey)),
  );
  if (a.internalKey) f.push(field(InputKey.anchorInternalKey, a.internalKey));
  if (i.asset) f.push(field(InputKey.asset, encodeAsset(i.asset)));
  if (i.proof) f.push(field(InputKey.assetProof, i.proof));
  return f;
}

function encodeOutput(o: VOutput): PsbtField[] {
  const f = scriptKeyFields(o, OutputKey.bip32Derivation, OutputKey.tapBip32Derivation, OutputKey.tapInternalKey);
  f.push(
    field(OutputKey.type, Uint8Array.of(o.type)),
    field(OutputKey.isInteractive, Uint8Array.of(o.interactive ? 1 : 0)),
    field(OutputKey.anchorOutputIndex, u64be(BigInt(o.anchorOutputIndex))),
    ...o.anchorOutputBip32Derivation.map((d) => field(OutputKey.anchorBip32Derivation, encodeBip32Value(d), d.pubKey)),
    ...o.anchorOutputTrBip32Derivation.map((d) => field(OutputKey.anchorTapBip32Derivation, encodeTapBip32Value(d), d.xOnlyPubKey)),
    field(OutputKey.assetVersion, Uint8Array.of(o.assetVersion)),
  );
  if (o.lockTime !== undefined) f.push(field(OutputKey.lockTime, u64be(o.lockTime)));
  if (o.relativeLockTime !== undefined) f.push(field(OutputKey.relativeLockTime, u64be(o.relativeLockTime)));
  if (o.anchorOutputInternalKey) f.push(field(OutputKey.anchorOutputInternalKey, o.anchorOutputInternalKey));
  if (o.asset) f.push(field(OutputKey.asset, encodeAsset(o.asset)));
  if (o.splitAsset) f.push(field(OutputKey.splitAsset, encodeAsset(o.splitAsset)));
  if (o.anchorOutputTapscriptSibling) f.push(field(OutputKey.anchorTapscriptSibling, encodeTapscriptPreimage(o.anchorOutputTapscriptSibling)));
  if (o.proofDeliveryAddress !== undefined) f.push(field(OutputKey.proofDeliveryAddress, utf8.encode(o.proofDeliveryAddress)));
  if (o.proofSuffix) f.push(field(OutputKey.proofSuffix, o.proofSuffix));
  if (o.altLeaves && o.altLeaves.length > 0) f.push(field(OutputKey.altLeaves, encodeAltLeaves(o.altLeaves)));
  if (o.address) f.push(field(OutputKey.address, encodeAddressTlv(o.address)));
  return f;
}

export function encodeVPacket(p: VPacket): Uint8Array {
  chainParamsForHrp(p.chainHrp, 'vpsbt.chainHrp');
  for (const o of p.outputs) if (o.amount > INT64_MAX) throw new RangeError(`vpsbt output amount: expected at most 2^63-1, got ${o.amount}`);
  return encodeRawPsbt({
    unsignedTx: {
      version: 2,
      segwitFlag: false,
      inputs: p.inputs.map(() => ({ txid: new Uint8Array(32), index: 0, finalScriptSig: new Uint8Array(), sequence: 0 })),
      outputs: p.outputs.map((o) => ({ amount: o.amount, script: concat(Uint8Array.of(0x51, 0x20), o.scriptKey) })),
      witnesses: [],
      lockTime: 0,
    } as unknown as RawUnsignedTx,
    global: [field(GlobalKey.isVirtualTx, Uint8Array.of(1)), field(GlobalKey.chainParamsHrp, utf8.encode(p.chainHrp)), field(GlobalKey.psbtVersion, Uint8Array.of(p.version)), ...p.globalOther],
    inputs: p.inputs.map(encodeInput),
    outputs: p.outputs.map(encodeOutput),
  });
}
