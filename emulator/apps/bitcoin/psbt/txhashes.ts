// Transaction digests computed from a merkleized PSBTv2 (sign_psbt/txhashes.c): the BIP-143 /
// BIP-341 precomputed hashes over all inputs and outputs, and the legacy, segwit v0 and taproot
// sighashes of one input. Every field comes from the host through verified client commands, in
// the order the app asks for them.

import { sha256 } from '@noble/hashes/sha2.js';
import { concat, encodeVarint, u32le, u64le } from '../../../../apdu/bytes.ts';
import type { HostChannel, MapCommitment } from '../../common/host-channel.ts';
import { SIGN_PSBT_ERROR } from '../../../../apdu/bitcoin-app/error-codes.ts';
import { incorrectData } from '../errors.ts';
import { PSBT_IN, PSBT_OUT } from '../../../../bitcoin/psbt-fields.ts';
import { amountAndScript } from './fields.ts';

export interface TxHashes {
  prevouts: Uint8Array;
  amounts: Uint8Array;
  scriptPubkeys: Uint8Array;
  sequences: Uint8Array;
  outputs: Uint8Array;
}

export interface TxShape {
  version: number;
  locktime: number;
  nInputs: number;
  nOutputs: number;
  inputsRoot: Uint8Array;
  outputsRoot: Uint8Array;
}

const FF4 = Uint8Array.of(0xff, 0xff, 0xff, 0xff);
const dsha = (b: Uint8Array): Uint8Array => sha256(sha256(b));

async function inputMap(host: HostChannel, tx: TxShape, i: number): Promise<MapCommitment> {
  const map = await host.getMerkleizedMap(tx.inputsRoot, tx.nInputs, i);
  if (!map) throw incorrectData(`input map ${i} did not verify`);
  return map;
}

async function exact(host: HostChannel, map: MapCommitment, key: number, len: number, what: string): Promise<Uint8Array> {
  const v = await host.getMapValue(map, Uint8Array.of(key), len);
  if (v === undefined || v.length !== len) throw incorrectData(`${what} missing or malformed`);
  return v;
}

async function sequenceOf(host: HostChannel, map: MapCommitment): Promise<Uint8Array> {
  const v = await host.getMapValue(map, Uint8Array.of(PSBT_IN.SEQUENCE), 4);
  return v !== undefined && v.length === 4 ? v : FF4;
}

/** hash_output_n: amount || varint(len) || script of output `index`. */
async function outputBytes(host: HostChannel, tx: TxShape, index: number): Promise<Uint8Array> {
  if (index >= tx.nOutputs) throw incorrectData('output index out of range');
  const map = await host.getMerkleizedMap(tx.outputsRoot, tx.nOutputs, index);
  if (!map) throw incorrectData(`output map ${index} did not verify`);
  const amount = await exact(host, map, PSBT_OUT.AMOUNT, 8, 'output amount');
  const script = await host.getMapValue(map, Uint8Array.of(PSBT_OUT.SCRIPT), 83);
  if (script === undefined) throw incorrectData('output script missing');
  return concat(amount, encodeVarint(script.length), script);
}

async function allOutputs(host: HostChannel, tx: TxShape): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < tx.nOutputs; i++) parts.push(await outputBytes(host, tx, i));
  return concat(...parts);
}

export async function computeTxHashes(host: HostChannel, tx: TxShape): Promise<TxHashes> {
  const prevouts: Uint8Array[] = [];
  const sequences: Uint8Array[] = [];
  for (let i = 0; i < tx.nInputs; i++) {
    const map = await inputMap(host, tx, i);
    prevouts.push(await exact(host, map, PSBT_IN.PREVIOUS_TXID, 32, 'previous txid'));
    prevouts.push(await exact(host, map, PSBT_IN.OUTPUT_INDEX, 4, 'previous output index'));
    sequences.push(await sequenceOf(host, map));
  }
  const outputs = sha256(await allOutputs(host, tx));
  const amounts: Uint8Array[] = [];
  const spks: Uint8Array[] = [];
  for (let i = 0; i < tx.nInputs; i++) {
    const map = await inputMap(host, tx, i);
    const prev = await amountAndScript(host, map);
    if (!prev) throw incorrectData(`input ${i}: no verifiable previous output`);
    amounts.push(u64le(prev.amount));
    spks.push(concat(encodeVarint(prev.script.length), prev.script));
  }
  return {
    prevouts: sha256(concat(...prevouts)),
    amounts: sha256(concat(...amounts)),
    scriptPubkeys: sha256(concat(...spks)),
    sequences: sha256(concat(...sequences)),
    outputs,
  };
}

/** The 160-byte blob the MuSig2 session id commits to (tx_hashes_t field order). */
export function txHashesBytes(h: TxHashes): Uint8Array {
  return concat(h.prevouts, h.amounts, h.scriptPubkeys, h.sequences, h.outputs);
}

const ANYONECANPAY = 0x80;

export async function sighashLegacy(
  host: HostChannel,
  tx: TxShape,
  map: MapCommitment,
  inputIndex: number,
  hasRedeemScript: boolean,
  scriptPubKey: Uint8Array,
  sighashType: number,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [u32le(tx.version), encodeVarint(tx.nInputs)];
  for (let i = 0; i < tx.nInputs; i++) {
    const m = i === inputIndex ? map : await inputMap(host, tx, i);
    parts.push(await exact(host, m, PSBT_IN.PREVIOUS_TXID, 32, 'previous txid'));
    parts.push(await exact(host, m, PSBT_IN.OUTPUT_INDEX, 4, 'previous output index'));
    if (i !== inputIndex) parts.push(Uint8Array.of(0));
    else if (!hasRedeemScript) parts.push(encodeVarint(scriptPubKey.length), scriptPubKey);
    else {
      const chunks: Uint8Array[] = [];
      const n = await host.streamMapValue(map, Uint8Array.of(PSBT_IN.REDEEM_SCRIPT), (len) => chunks.push(encodeVarint(len)), (c) => chunks.push(c.slice()));
      if (n === undefined) throw incorrectData('redeem script missing');
      parts.push(...chunks);
    }
    parts.push(await sequenceOf(host, m));
  }
  parts.push(encodeVarint(tx.nOutputs), await allOutputs(host, tx), u32le(tx.locktime), u32le(sighashType));
  return dsha(concat(...parts));
}

export async function sighashSegwitV0(
  host: HostChannel,
  tx: TxShape,
  hashes: TxHashes,
  map: MapCommitment,
  inputIndex: number,
  script: Uint8Array,
  sighashType: number,
): Promise<Uint8Array> {
  const base = sighashType & 0x1f;
  const acp = (sighashType & ANYONECANPAY) !== 0;
  const zero = new Uint8Array(32);
  const parts: Uint8Array[] = [
    u32le(tx.version),
    acp ? zero : sha256(hashes.prevouts),
    !acp && base !== 3 && base !== 2 ? sha256(hashes.sequences) : zero,
    await exact(host, map, PSBT_IN.PREVIOUS_TXID, 32, 'previous txid'),
    await exact(host, map, PSBT_IN.OUTPUT_INDEX, 4, 'previous output index'),
  ];
  if (script.length === 22 && script[0] === 0 && script[1] === 0x14) {
    parts.push(Uint8Array.of(0x19, 0x76, 0xa9, 0x14), script.subarray(2), Uint8Array.of(0x88, 0xac));
  } else if (script.length === 34 && script[0] === 0 && script[1] === 0x20) {
    const chunks: Uint8Array[] = [];
    const ws = sha256.create();
    const n = await host.streamMapValue(
      map,
      Uint8Array.of(PSBT_IN.WITNESS_SCRIPT),
      (len) => chunks.push(encodeVarint(len)),
      (c) => {
        chunks.push(c.slice());
        ws.update(c);
      },
    );
    if (n === undefined) throw incorrectData('witness script missing');
    const digest = ws.digest();
    if (!digest.every((b, i) => b === script[2 + i])) throw incorrectData('witness script does not match', SIGN_PSBT_ERROR.MISMATCHING_WITNESS_SCRIPT);
    parts.push(...chunks);
  } else throw incorrectData('not a segwit v0 script');
  const utxo = await host.getMapValue(map, Uint8Array.of(PSBT_IN.WITNESS_UTXO), 8 + 1 + 34);
  if (utxo === undefined || utxo.length < 8) throw incorrectData('witness utxo missing');
  parts.push(utxo.subarray(0, 8), await sequenceOf(host, map));
  if (base !== 3 && base !== 2) parts.push(sha256(hashes.outputs));
  else if (base === 3 && inputIndex < tx.nOutputs) parts.push(dsha(await outputBytes(host, tx, inputIndex)));
  else parts.push(zero);
  parts.push(u32le(tx.locktime), u32le(sighashType));
  return dsha(concat(...parts));
}

const tagHash = (tag: string): Uint8Array => sha256(new TextEncoder().encode(tag));

export async function sighashTaproot(
  host: HostChannel,
  tx: TxShape,
  hashes: TxHashes,
  map: MapCommitment,
  inputIndex: number,
  scriptPubKey: Uint8Array,
  tapleafHash: Uint8Array | undefined,
  sighashType: number,
): Promise<Uint8Array> {
  const t = tagHash('TapSighash');
  const parts: Uint8Array[] = [t, t, Uint8Array.of(0x00, sighashType), u32le(tx.version), u32le(tx.locktime)];
  const acp = (sighashType & ANYONECANPAY) !== 0;
  const base = sighashType & 3;
  if (!acp) parts.push(hashes.prevouts, hashes.amounts, hashes.scriptPubkeys, hashes.sequences);
  if (base !== 2 && base !== 3) parts.push(hashes.outputs);
  parts.push(Uint8Array.of(tapleafHash ? 2 : 0));
  if (acp) {
    parts.push(await exact(host, map, PSBT_IN.PREVIOUS_TXID, 32, 'previous txid'));
    parts.push(await exact(host, map, PSBT_IN.OUTPUT_INDEX, 4, 'previous output index'));
    const utxo = await host.getMapValue(map, Uint8Array.of(PSBT_IN.WITNESS_UTXO), 8 + 1 + 34);
    if (utxo === undefined || utxo.length < 8) throw incorrectData('witness utxo missing');
    parts.push(utxo.subarray(0, 8), encodeVarint(scriptPubKey.length), scriptPubKey, await sequenceOf(host, map));
  } else parts.push(u32le(inputIndex));
  if (base === 3) parts.push(sha256(await outputBytes(host, tx, inputIndex)));
  if (tapleafHash) parts.push(tapleafHash, Uint8Array.of(0x00), FF4);
  return sha256(concat(...parts));
}

