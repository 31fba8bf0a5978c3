// Every decoder of untrusted bytes or text fuzzed directly: valid inputs (vectors, the Speculos
// corpus, the fixtures) mutated one to four times, plus random inputs. A decoder may return, or throw
// a typed error (typed-errors.ts); anything else escaping is a bug.

import { readFileSync } from 'node:fs';
import { base64 } from '@scure/base';
import { fromHex, utf8 } from '../../apdu/bytes.ts';
import { decodeCommand, decodeResponse } from '../../apdu/apdu.ts';
import { decodeClientCommandRequest, decodeClientCommandResponse, type ClientCommandName } from '../../apdu/interrupt.ts';
import * as bitcoinApp from '../../apdu/bitcoin-app/index.ts';
import * as tapApp from '../../apdu/tap-app/index.ts';
import { decodeKeyAgg } from '../../apdu/tap-app/keyagg.ts';
import { parsePath } from '../../apdu/path.ts';
import { merkleizePsbt, parseRawPsbt, toPsbtV0, toPsbtV2 } from '../../bitcoin/psbtv2.ts';
import { parseDescriptor } from '../../bitcoin/descriptor/parser.ts';
import { checkTemplate, parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { parseKeyInfo } from '../../bitcoin/key-info.ts';
import { decodeExtendedPublicKey } from '../../bitcoin/extended-key.ts';
import { decodeMusigKeydata } from '../../bitcoin/musig/psbt-fields.ts';
import { decodeAsset, encodeAsset } from '../../assets/asset/leaf.ts';
import { decodeVPacket, encodeVPacket } from '../../assets/vpsbt/codec.ts';
import { decodeRawPsbt } from '../../assets/vpsbt/psbt-map.ts';
import { decodeAddress, decodeAddressTlv, encodeAddressTlv } from '../../assets/address/address.ts';
import { decodeProof } from '../../assets/proof/proof.ts';
import { compressProof, decodeCompressedProof, decompressProof, encodeCompressedProof } from '../../assets/mssmt/proof.ts';
import { MssmtTree } from '../../assets/mssmt/tree.ts';
import { decodeTlvStream } from '../../assets/tlv/stream.ts';
import { decodeResultBatch, encodeResultBatches, encodeVpsbtStream } from '../../apdu/tap-app/vpsbt-stream.ts';
import { decodeVpsbtStream } from '../../apdu/tap-app/vpsbt-stream-reader.ts';
import { encodeVpsbtStreamFor } from '../../host/tap-app/vpsbt-stream.ts';
import { FINGERPRINT, transferPacket } from '../unit/tap-app/vpsbt-fixture.ts';
import type { Rng } from './prng.ts';
import { isTypedError } from './typed-errors.ts';
import { mutateBytes, mutateText } from './stateful/mutate.ts';

interface Decoder<T> {
  name: string;
  seeds: readonly T[];
  decode(input: T): unknown;
}

export type AnyDecoder = Decoder<Uint8Array> | (Decoder<string> & { text: true });

const VECTORS = new URL('../vectors/', import.meta.url);
const json = (path: string) => JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8'));
const validCases = (path: string) => json(path).valid_test_cases as { expected: string }[];

function corpusPsbts(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const name of ['sign-psbt-taproot-keypath', 'sign-psbt-wpkh', 'sign-psbt-musig2-2of2', 'errors-psbt-tampered-merkle-proof']) {
    const inputs = json(`speculos-corpus/nanosp/${name}.json`).inputs;
    for (const key of ['psbt_base64', 'psbt_v2_base64_sent', 'psbt_round1_base64', 'psbt_round2_base64'])
      if (typeof inputs[key] === 'string') out.push(base64.decode(inputs[key]));
  }
  return out;
}

/** BIP-388's valid test vectors and the corpus's registered policies. */
function policies(): { template: string; keys: string[] }[] {
  const out: { template: string; keys: string[] }[] = [];
  for (const v of json('bips/bip-0388-test-vectors.json').valid as { descriptor_template: string; keys_info: string[] }[])
    out.push({ template: v.descriptor_template, keys: v.keys_info });
  for (const name of ['policy-tr-key-plus-pk-leaf', 'policy-tr-musig-2of2', 'policy-wsh-sortedmulti-2of2']) {
    const p = json(`speculos-corpus/nanosp/${name}.json`).inputs;
    out.push({ template: p.descriptor_template, keys: p.keys_info });
  }
  return out;
}

function mssmtProofs(): Uint8Array[] {
  let tree = new MssmtTree();
  const keys = Array.from({ length: 6 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 37 + j * 11) & 0xff));
  keys.forEach((k, i) => (tree = tree.insert(k, utf8.encode(`leaf ${i}`), BigInt(i + 1))));
  return [...keys, new Uint8Array(32).fill(0xee)].map((k) => encodeCompressedProof(compressProof(tree.proof(k))));
}

/** Every command of both apps' descriptions, and the OS's GET_APP_AND_VERSION. */
const COMMANDS: [string, bitcoinApp.CommandSpec<unknown, unknown>][] = [
  ...[...bitcoinApp.BITCOIN_APP.commands, bitcoinApp.getAppAndVersion].map((s): [string, bitcoinApp.CommandSpec<unknown, unknown>] => [`bitcoin ${s.name}`, s]),
  ...tapApp.TAP_APP.commands.map((s): [string, bitcoinApp.CommandSpec<unknown, unknown>] => [`tap ${s.name}`, s]),
];

function corpusCommandData(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const line of readFileSync(new URL('speculos-corpus/nanosp/sign-psbt-musig2-2of2.apdus', VECTORS), 'utf8').split('\n'))
    if (line.startsWith('=> ') || line.startsWith('<= ')) out.push(fromHex(line.slice(3)));
  return out;
}

/** The decoders and their valid seeds. Built once (vectors are read from disk). */
export function decoders(): AnyDecoder[] {
  const psbts = corpusPsbts();
  const vpsbts = [
    ...validCases('taproot-assets/tappsbt/testdata/psbt_encoding_generated.json').map((c) => base64.decode(c.expected)),
    fromHex(readFileSync(new URL('taproot-assets/tappsbt/testdata/packet.hex', VECTORS), 'utf8').trim()),
    encodeVPacket(transferPacket()),
    encodeVPacket(transferPacket({ inputs: [3n], recipients: 3, courier: 'authmailbox+universerpc://courier.example:10029' })),
  ];
  const streamed = [transferPacket(), transferPacket({ inputs: [3n], recipients: 3 })].map((p) => encodeVpsbtStreamFor(p, { fingerprint: FINGERPRINT }).stream);
  const streams = streamed.map(encodeVpsbtStream);
  const batches = encodeResultBatches([
    { kind: 'signature', input: 0, signature: new Uint8Array(64).fill(1) },
    { kind: 'pubnonce', input: 1, pubnonce: new Uint8Array(66).fill(2) },
    { kind: 'partialSignature', input: 2, partialSignature: new Uint8Array(32).fill(3) },
    ...Array.from({ length: 4 }, (_, i) => ({ kind: 'signature' as const, input: 3 + i, signature: new Uint8Array(64).fill(4 + i) })),
  ]);
  const assets = [
    ...validCases('taproot-assets/asset/testdata/asset_tlv_encoding_generated.json').map((c) => fromHex(c.expected)),
    fromHex(readFileSync(new URL('taproot-assets/asset/testdata/asset.hex', VECTORS), 'utf8').trim()),
    ...transferPacket().outputs.map((o) => encodeAsset(o.asset!)),
  ];
  const addresses = validCases('taproot-assets/address/testdata/address_tlv_encoding_generated.json').map((c) => c.expected);
  const proofs = validCases('taproot-assets/proof/testdata/proof_tlv_encoding_generated.json').map((c) => fromHex(c.expected));
  const pols = policies();
  const keyInfos = pols.flatMap((p) => p.keys);
  const apdus = corpusCommandData();
  const CLIENT_COMMANDS: ClientCommandName[] = ['YIELD', 'GET_PREIMAGE', 'GET_MERKLE_LEAF_PROOF', 'GET_MERKLE_LEAF_INDEX', 'GET_MORE_ELEMENTS'];
  const list: AnyDecoder[] = [
    { name: 'PSBT (v0/v2) parse', seeds: psbts, decode: parseRawPsbt },
    { name: 'PSBT -> v2 and merkleized', seeds: psbts, decode: (b: Uint8Array) => merkleizePsbt(toPsbtV2(b)) },
    { name: 'PSBT -> v0', seeds: psbts, decode: toPsbtV0 },
    { name: 'vPSBT', seeds: vpsbts, decode: decodeVPacket },
    { name: 'vPSBT raw maps', seeds: vpsbts, decode: (b: Uint8Array) => decodeRawPsbt(b) },
    { name: 'vPSBT -> SIGN_VPSBT stream (host)', seeds: vpsbts, decode: (b: Uint8Array) => encodeVpsbtStreamFor(decodeVPacket(b), { fingerprint: FINGERPRINT }) },
    { name: 'SIGN_VPSBT stream (device reader)', seeds: streams, decode: decodeVpsbtStream },
    { name: 'asset TLV', seeds: assets, decode: decodeAsset },
    { name: 'TLV stream', seeds: assets, decode: (b: Uint8Array) => decodeTlvStream(b, 'tlv') },
    { name: 'asset proof', seeds: proofs, decode: decodeProof },
    { name: 'MS-SMT compressed proof', seeds: mssmtProofs(), decode: (b: Uint8Array) => decompressProof(decodeCompressedProof(b)) },
    { name: 'Taproot Asset address TLV', seeds: addresses.map((a) => encodeAddressTlv(decodeAddress(a).address)), decode: decodeAddressTlv },
    { name: 'Taproot Asset address', text: true, seeds: addresses, decode: (s: string) => decodeAddress(s) },
    { name: 'wallet policy (template + keys)', text: true, seeds: pols.map((p) => JSON.stringify(p)), decode: (s: string) => {
      let p: { template?: unknown; keys?: unknown };
      try {
        p = JSON.parse(s);
      } catch {
        return undefined; // the mutation broke the JSON wrapper, not the policy
      }
      if (typeof p.template !== 'string' || !Array.isArray(p.keys) || p.keys.some((k) => typeof k !== 'string')) return undefined;
      return parsePolicy(p.template, p.keys as string[]);
    } },
    { name: 'descriptor template', text: true, seeds: pols.map((p) => p.template), decode: checkTemplate },
    { name: 'descriptor', text: true, seeds: pols.map((p) => p.template.replaceAll(/@(\d+)/g, (_, i) => `${p.keys[Number(i)]}`)), decode: parseDescriptor },
    { name: 'key information', text: true, seeds: keyInfos, decode: parseKeyInfo },
    { name: 'extended public key', text: true, seeds: keyInfos.map((k) => k.slice(k.indexOf(']') + 1)), decode: decodeExtendedPublicKey },
    { name: 'BIP-32 path text', text: true, seeds: ["m/86'/1'/0'", "m/1017'/1'/212'/0/0", 'm/44h/1h/0h/0/0'], decode: parsePath },
    { name: 'MuSig2 PSBT keydata (BIP-373)', seeds: [new Uint8Array(66).fill(2), new Uint8Array(98).fill(3)], decode: decodeMusigKeydata },
    { name: 'APDU command / response', seeds: apdus, decode: (b: Uint8Array) => [decodeCommand(b), decodeResponse(b)] },
    { name: 'client command request', seeds: apdus.map((a) => a.subarray(0, -2)), decode: decodeClientCommandRequest },
    ...CLIENT_COMMANDS.map((c): AnyDecoder => ({ name: `client command response ${c}`, seeds: apdus.map((a) => a.subarray(5)), decode: (b: Uint8Array) => decodeClientCommandResponse(c, b) })),
    { name: 'SIGN_PSBT yield', seeds: [new Uint8Array(70), fromHex('ffffffff'), fromHex('fffffffe')], decode: bitcoinApp.decodeSignPsbtYield },
    { name: 'SIGN_VPSBT result batch', seeds: batches, decode: decodeResultBatch },
    { name: 'wallet policy header', seeds: apdus.map((a) => a.subarray(5)), decode: bitcoinApp.decodeWalletPolicyHeader },
    { name: 'MuSig2 key aggregation context', seeds: [fromHex('02' + '02'.repeat(33) + '03'.repeat(33) + '01' + '01' + '11'.repeat(32) + '05' + '800003f9800000018000000d400000000000000000')], decode: decodeKeyAgg },
    ...COMMANDS.flatMap(([name, spec]): AnyDecoder[] => [
      { name: `${name} request`, seeds: apdus.map((a) => a.subarray(5)), decode: (b: Uint8Array) => spec.decodeRequest(b) },
      { name: `${name} response`, seeds: apdus.map((a) => a.subarray(0, -2)), decode: (b: Uint8Array) => spec.decodeResponse(b) },
    ]),
  ];
  return list;
}

export interface DecoderStats {
  name: string;
  inputs: number;
  decoded: number;
  typed: number;
  /** Errors that escaped untyped. */
  untypedCount: number;
  /** "input: error" of the first untyped escapes. */
  untyped: string[];
}

function mutateInput(rng: Rng, seed: Uint8Array | string, text: boolean): Uint8Array | string {
  if (text) {
    let s = seed as string;
    for (let n = rng.below(4) + 1; n > 0; n--) s = mutateText(rng, s);
    return s;
  }
  if (rng.chance(0.05)) return rng.bytes(rng.below(300));
  let b = seed as Uint8Array;
  for (let n = rng.below(4) + 1; n > 0; n--) b = mutateBytes(rng, b);
  return b;
}

const show = (input: Uint8Array | string) => (typeof input === 'string' ? JSON.stringify(input) : Buffer.from(input).toString('hex')).slice(0, 400);

/** Runs `perDecoder` inputs (the seeds, then mutations) through each decoder; returns counts and the untyped escapes. */
export function runDecoderFuzz(rng: Rng, perDecoder: number, list: readonly AnyDecoder[] = decoders()): DecoderStats[] {
  const out: DecoderStats[] = [];
  for (const d of list) {
    const text = 'text' in d;
    const stats: DecoderStats = { name: d.name, inputs: 0, decoded: 0, typed: 0, untypedCount: 0, untyped: [] };
    for (let i = 0; i < perDecoder; i++) {
      const input = i < d.seeds.length ? d.seeds[i]! : mutateInput(rng, rng.pick(d.seeds as readonly (Uint8Array | string)[]), text);
      stats.inputs++;
      try {
        (d.decode as (x: unknown) => unknown)(input);
        stats.decoded++;
      } catch (e) {
        if (isTypedError(e)) stats.typed++;
        else if (stats.untypedCount++ < 20) stats.untyped.push(`${show(input)}: ${(e as Error)?.stack?.split('\n').slice(0, 4).join(' | ') ?? String(e)}`);
      }
    }
    out.push(stats);
  }
  return out;
}
