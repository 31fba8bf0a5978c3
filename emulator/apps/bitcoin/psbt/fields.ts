// Reading PSBTv2 fields through the host (their key types are the rows of bitcoin/psbt-fields.ts):
// a u32 value, and a previous output's amount and script from the witness UTXO or the full
// previous transaction (sign_psbt/amount_from_psbt.c, lib/psbt_parse_rawtx.c).

import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, concat } from '../../../../apdu/bytes.ts';
import { PSBT_IN } from '../../../../bitcoin/psbt-fields.ts';
import type { HostChannel, MapCommitment } from '../../common/host-channel.ts';

/** MAX_PREVOUT_SCRIPTPUBKEY_LEN: P2WSH / P2TR scripts are the longest the app spends. */
export const MAX_PREVOUT_SCRIPT = 34;

/** call_get_merkleized_map_value_u32_le: a 4-byte little-endian value, or undefined. */
export async function u32Value(host: HostChannel, map: MapCommitment, key: number): Promise<number | undefined> {
  const v = await host.getMapValue(map, Uint8Array.of(key), 4);
  if (v === undefined || v.length !== 4) return undefined;
  return new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
}

export interface PrevOut {
  amount: bigint;
  script: Uint8Array;
}

/** get_amount_scriptpubkey_from_psbt_witness: `amount:u64 LE || len || script` with len <= 34. */
export async function witnessUtxo(host: HostChannel, map: MapCommitment): Promise<PrevOut | undefined> {
  const raw = await host.getMapValue(map, Uint8Array.of(PSBT_IN.WITNESS_UTXO), 8 + 1 + MAX_PREVOUT_SCRIPT);
  if (raw === undefined || raw.length < 9 || raw.length !== 9 + raw[8]!) return undefined;
  return { amount: new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true), script: raw.slice(9) };
}

/**
 * get_amount_scriptpubkey_from_psbt_nonwitness: the output index, then the previous transaction
 * streamed by its value hash, parsed, and (when `expectedTxid` is given) checked against it.
 */
export async function nonWitnessUtxo(host: HostChannel, map: MapCommitment, expectedTxid?: Uint8Array): Promise<PrevOut | undefined> {
  const vout = await u32Value(host, map, PSBT_IN.OUTPUT_INDEX);
  if (vout === undefined) return undefined;
  const valueHash = await host.getMapValueHash(map, Uint8Array.of(PSBT_IN.NON_WITNESS_UTXO));
  if (valueHash === undefined) return undefined;
  const pieces: Uint8Array[] = [];
  const n = await host.streamMerklePreimage(valueHash, () => {}, (c) => pieces.push(c.slice()));
  if (n === undefined) return undefined;
  const parsed = parseRawTx(concat(...pieces));
  if (!parsed || vout >= parsed.outputs.length) return undefined;
  if (expectedTxid && !parsed.txid.every((b, i) => b === expectedTxid[i])) return undefined;
  const out = parsed.outputs[vout]!;
  if (out.script.length > MAX_PREVOUT_SCRIPT) return undefined;
  return out;
}

/** get_amount_scriptpubkey_from_psbt: the witness UTXO if present, else the previous transaction. */
export async function amountAndScript(host: HostChannel, map: MapCommitment): Promise<PrevOut | undefined> {
  return (await witnessUtxo(host, map)) ?? (await nonWitnessUtxo(host, map));
}

/** A serialized transaction: its txid (witness data excluded) and outputs. */
export function parseRawTx(raw: Uint8Array): { txid: Uint8Array; outputs: PrevOut[] } | undefined {
  try {
    const r = new ByteReader(raw, 'previous transaction');
    const version = r.bytesN(4);
    let segwit = false;
    if (raw[4] === 0x00 && raw[5] === 0x01) {
      r.bytesN(2);
      segwit = true;
    }
    const insStart = r.offset;
    const nIn = r.varintNumber();
    for (let i = 0; i < nIn; i++) {
      r.bytesN(36);
      r.bytesN(r.varintNumber());
      r.bytesN(4);
    }
    const nOut = r.varintNumber();
    const outputs: PrevOut[] = [];
    for (let i = 0; i < nOut; i++) {
      const amount = r.u64le();
      outputs.push({ amount, script: r.bytesN(r.varintNumber()).slice() });
    }
    const insEnd = r.offset;
    if (segwit)
      for (let i = 0; i < nIn; i++) {
        const items = r.varintNumber();
        for (let j = 0; j < items; j++) r.bytesN(r.varintNumber());
      }
    const locktime = r.bytesN(4);
    r.end();
    const stripped = concat(version, raw.subarray(insStart, insEnd), locktime);
    return { txid: sha256(sha256(stripped)), outputs };
  } catch {
    return undefined;
  }
}
