// The vectors the C core is tested against (firmware/README.md), computed by the TypeScript
// implementation: assets/ decoders and models, the emulator's streamed asset parser
// (test/firmware/asset-stream.ts), @scure/btc-signer's MuSig2 and BIP-327's own vectors.
// One line per case, space-separated, hex for bytes, decimal for integers, `-` for absent and `.`
// for present but empty, so the C tests read them with a tokenizer and no JSON parser.
// scripts/export-firmware-vectors.ts writes them; vectors-fresh.test.ts checks the files are current.

import { readFileSync } from 'node:fs';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { base64 } from '@scure/base';
import { Session, keyAggExport, keyAggregate, nonceAggregate, nonceGen } from '@scure/btc-signer/musig2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, fromHex, toHex, u32be, u64be, utf8 } from '../../apdu/bytes.ts';
import { assetId, decodeGenesis, encodeGenesis } from '../../assets/asset/genesis.ts';
import { assetLeafValue, decodeAsset, encodeAsset, type Asset } from '../../assets/asset/leaf.ts';
import { encodePrevId, prevIdHash } from '../../assets/asset/prev-id.ts';
import { CURVE_ORDER, taggedHash, taprootTweak, Point } from '../../assets/crypto.ts';
import { assetFromJson, prevIdFromJson } from '../../assets/json/asset-json.ts';
import { EMPTY_TREE, MSSMT_DEPTH, keyBit, leafNode, type MssmtNode } from '../../assets/mssmt/node.ts';
import { encodeCompressedProof } from '../../assets/mssmt/proof.ts';
import { MssmtTree } from '../../assets/mssmt/tree.ts';
import { decodeTlvStream } from '../../assets/tlv/stream.ts';
import { decodeVPacket } from '../../assets/vpsbt/codec.ts';
import { splitLocatorKey } from '../../assets/vtx/verify.ts';
import { genesisPrevOut, inputPrevOut, isGroupGenesis, stripWitnesses, virtualTx, virtualTxSighash, type InputAsset } from '../../assets/vtx/virtual-tx.ts';
import { pullAsset, type AssetStreamOptions, type StreamedAsset } from './asset-stream.ts';
import { pullWhole } from './pull.ts';
import { MAX_MUSIG_SESSIONS, popSession, randIJ, storeSession } from '../../emulator/apps/common/musig-sessions.ts';
import { SPECULOS_MNEMONIC } from '../unit/tap-app/device.ts';
import { FINGERPRINT, deviceScriptKey, foreignKey, scriptKeyPath, splitTree, transferPacket } from '../unit/tap-app/vpsbt-fixture.ts';
import { streamedTransfer, unsplitTransfer } from '../unit/tap-v2/transfers.ts';
import { CodecError } from '../../apdu/errors.ts';
import { RequestError } from '../../apdu/tap-app/spec.ts';
import { StreamMode } from '../../apdu/tap-app/vpsbt-stream.ts';
import { VpsbtStreamReader } from '../../apdu/tap-app/vpsbt-stream-reader.ts';
import { withMusigParticipants, withMusigPubNonces } from '../../host/tap-app/index.ts';
import { encodeVpsbtStreamFor } from '../../host/tap-app/vpsbt-stream.ts';
import { mutate, rng } from './mutate.ts';
import { commandTranscripts } from './transcripts.ts';

const PROVENANCE = 'Written by scripts/export-firmware-vectors.ts (test/firmware/vectors.ts); do not edit.';
const VECTORS = new URL('../vectors/', import.meta.url);

const hex = (b: Uint8Array): string => (b.length === 0 ? '.' : toHex(b));
const opt = (b: Uint8Array | undefined): string => (b === undefined ? '-' : hex(b));
const json = (path: string): any =>
  JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8').replace(/([:[,]\s*)(\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
const file = (title: string, sources: string[], lines: string[]): string =>
  [`# ${title}`, `# ${PROVENANCE}`, ...sources.map((s) => `# source: ${s}`), ...lines, ''].join('\n');

function tryDecode(bytes: Uint8Array): Asset | undefined {
  try {
    return decodeAsset(bytes);
  } catch {
    return undefined;
  }
}

function stream(bytes: Uint8Array, opts: AssetStreamOptions = {}): StreamedAsset | Error {
  try {
    return pullWhole(bytes, 'asset', (s) => pullAsset(s, 'asset', opts));
  } catch (e) {
    return e as Error;
  }
}

/** Assets of the test suite's own transfers and of tapd's vectors: what the parser must read. */
let bases: { name: string; asset: Asset }[] | undefined;
function baseAssets(): { name: string; asset: Asset }[] {
  return (bases ??= readBaseAssets());
}

function readBaseAssets(): { name: string; asset: Asset }[] {
  const out: { name: string; asset: Asset }[] = [];
  const p = transferPacket({ recipients: 2 });
  const root = p.outputs[0]!.asset!;
  const split = p.outputs[1]!.asset!;
  out.push({ name: 'transfer root', asset: root }, { name: 'transfer split', asset: split });
  out.push({ name: 'transfer root split', asset: p.outputs[0]!.splitAsset! }, { name: 'transfer input', asset: p.inputs[0]!.asset! });
  // A V1 root with lock times, a group key, tx witnesses and unknown odd records, and a split of it
  // with its own lock times and unknown records on both sides of its split commitment.
  const odd = (type: number, ...b: number[]) => ({ type: BigInt(type), value: Uint8Array.from(b) });
  const richRoot: Asset = {
    ...root,
    version: 1,
    lockTime: 700_001n,
    relativeLockTime: 6n,
    groupKey: p.inputs[1]!.prevId.scriptKey,
    unknownOddTypes: [odd(23, 4, 5)],
    prevWitnesses: root.prevWitnesses.map((w, i) => ({ ...w, txWitness: [new Uint8Array(64).fill(0x30 + i)], unknownOddTypes: [odd(7, i)] })),
  };
  const sw = split.prevWitnesses[0]!;
  const richSplit: Asset = {
    ...split,
    version: 1,
    relativeLockTime: 300n,
    unknownOddTypes: [odd(21, 0xee, 0xff)],
    prevWitnesses: [{ ...sw, unknownOddTypes: [odd(9, 3)], splitCommitment: { ...sw.splitCommitment!, rootAsset: richRoot } }],
  };
  out.push({ name: 'rich root', asset: richRoot }, { name: 'rich split', asset: richSplit });
  for (const [i, t] of (json('taproot-assets/asset/testdata/asset_tlv_encoding_generated.json').valid_test_cases as any[]).entries())
    out.push({ name: `tapd asset vector ${i}`, asset: decodeAsset(fromHex(t.expected)) });
  for (const [i, t] of (json('taproot-assets/vm/testdata/vm_validation_generated.json').valid_test_cases as any[]).entries()) {
    out.push({ name: `tapd vm vector ${i} asset`, asset: assetFromJson(t.asset) });
    for (const [k, s] of ((t.split_set ?? []) as any[]).entries()) out.push({ name: `tapd vm vector ${i} split ${k}`, asset: assetFromJson(s.value.asset) });
  }
  for (const [i, t] of (json('taproot-assets/tappsbt/testdata/psbt_encoding_generated.json').valid_test_cases as any[]).entries()) {
    const v = decodeVPacket(base64.decode(t.expected));
    v.inputs.forEach((vin, k) => vin.asset && out.push({ name: `tapd vpsbt vector ${i} input ${k}`, asset: vin.asset }));
    v.outputs.forEach((o, k) => o.asset && out.push({ name: `tapd vpsbt vector ${i} output ${k}`, asset: o.asset }));
  }
  return out;
}

/** The value length of record 11 of the asset's witness-free encoding, or undefined without one. */
function noWitnessListLength(a: Asset): number | undefined {
  return decodeTlvStream(encodeAsset(stripWitnesses(a)), 'asset').find((r) => r.type === 11n)?.value.length;
}

function assetLine(bytes: Uint8Array): string {
  const a = decodeAsset(bytes);
  const s = stream(bytes);
  if (s instanceof Error) throw new Error(`the stream refuses an asset decodeAsset reads: ${s.message}`);
  const w = a.prevWitnesses[0];
  const sc = w?.splitCommitment;
  const nodes = sc ? concat(...sc.proof.nodes.flatMap((n) => [n.hash, u64be(n.sum)])) : undefined;
  const rootStripped = sc ? (stream(encodeAsset(sc.rootAsset), { stripped: true }) as StreamedAsset).stripped : undefined;
  const listLen = noWitnessListLength(a);
  const noWitnessLeaf = leafNode(encodeAsset(stripWitnesses(a)), a.amount);
  return [
    'asset',
    hex(bytes),
    a.version,
    toHex(assetId(a.genesis)),
    a.amount,
    toHex(a.scriptKey),
    a.scriptVersion,
    a.lockTime,
    a.relativeLockTime,
    opt(a.groupKey),
    opt(a.splitCommitmentRoot?.hash),
    a.splitCommitmentRoot?.sum ?? '-',
    a.prevWitnesses.length,
    a.prevWitnesses.some((x) => x.txWitness.length > 0) ? 1 : 0,
    w && w.txWitness.length > 0 ? 1 : 0,
    sc ? 1 : 0,
    sc ? sc.proof.nodes.length : 0,
    sc ? toHex(sha256(concat(Uint8Array.of(0), nodes!))) : '-',
    sc ? toHex(encodeCompressedProof(sc.proof).subarray(-32)) : '-',
    opt(rootStripped),
    listLen ?? '-',
    toHex(noWitnessLeaf.hash),
  ].join(' ');
}

const MUTATIONS_PER_BASE = 600;

/** Asset TLVs: accepted ones with what the device keeps, and seeded mutations with the verdict. */
function assetVectors(): string {
  const bases = baseAssets();
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const b of bases) {
    const bytes = encodeAsset(b.asset);
    if (seen.has(toHex(bytes))) continue;
    seen.add(toHex(bytes));
    lines.push(`# ${b.name}`, assetLine(bytes));
  }
  // Mutations of the richest bases: a byte replaced, the value cut, a byte inserted, a byte removed.
  const mutated = ['transfer split', 'rich split', 'rich root', 'transfer root split', 'tapd vm vector 0 asset', 'tapd asset vector 1'];
  const pick = rng(0x5eed);
  mutated.forEach((name, id) => {
    const bytes = encodeAsset(bases.find((b) => b.name === name)!.asset);
    lines.push(`# mutations of ${name}: m base kind(0 replace, 1 cut, 2 insert, 3 remove) at byte verdict [asset_id amount script_key]`);
    lines.push(`base ${id} ${hex(bytes)}`);
    for (let i = 0; i < MUTATIONS_PER_BASE; i++) {
      const { kind, at, byte, bytes: m } = mutate(bytes, pick);
      const decoded = tryDecode(m);
      const s = stream(m);
      if ((decoded === undefined) !== s instanceof Error)
        throw new Error(`${name} mutation ${kind}@${at}: decodeAsset and the stream disagree (${s instanceof Error ? s.message : 'stream accepts'})`);
      const verdict = s instanceof Error ? 'refuse' : `accept ${toHex(s.assetId)} ${s.amount} ${toHex(s.scriptKey)}`;
      lines.push(`m ${id} ${kind} ${at} ${byte} ${verdict}`);
    }
  });
  // Refused by the stream on purpose though decodeAsset reads it: a split commitment inside the
  // witness of the root asset a split names (docs/tap-app-protocol.md §5.5 step 2c).
  const p = transferPacket({ recipients: 1 });
  const split = p.outputs[1]!.asset!;
  const sw = split.prevWitnesses[0]!;
  const nested: Asset = { ...split, prevWitnesses: [{ ...sw, splitCommitment: { ...sw.splitCommitment!, rootAsset: split } }] };
  const nestedBytes = encodeAsset(nested);
  if (tryDecode(nestedBytes) === undefined || !(stream(nestedBytes) instanceof Error)) throw new Error('nested split case: expected decodeAsset to read it and the stream to refuse it');
  lines.push('# a split whose root asset carries a split commitment itself', `refuse ${hex(nestedBytes)}`);
  return file('Asset leaf TLVs (assets/asset/leaf.ts decodeAsset and test/firmware/asset-stream.ts agree on every verdict)', [
    'transfers of test/unit/tap-app/vpsbt-fixture.ts',
    'test/vectors/taproot-assets (tapd asset, vm and tappsbt vectors)',
  ], lines);
}

const PROBLEMS: [RegExp, string][] = [
  [/tx witness/, 'tx-witness'],
  [/carries \d+ prev witnesses/, 'witness-count'],
  [/no split commitment/, 'no-split'],
  [/no prev witness/, 'no-witness'],
  [/version/, 'version'],
];

/** The split leaf tapd's vm.validateSplit builds, from assets/: the root's lock times, no split commitment. */
function splitLeafNode(s: Asset, root: { lockTime: bigint; relativeLockTime: bigint }): MssmtNode {
  const w = s.prevWitnesses[0]!;
  const witness = { ...(w.prevId ? { prevId: w.prevId } : {}), txWitness: [], unknownOddTypes: w.unknownOddTypes };
  return leafNode(assetLeafValue({ ...s, lockTime: root.lockTime, relativeLockTime: root.relativeLockTime, prevWitnesses: [witness] }), s.amount);
}

function splitLeafVectors(): string {
  const bases = baseAssets();
  const lines: string[] = [];
  const locks = [
    { lockTime: 0n, relativeLockTime: 0n },
    { lockTime: 800_000n, relativeLockTime: 144n },
    { lockTime: 0n, relativeLockTime: 70_000n },
  ];
  for (const b of bases) {
    for (const root of locks) {
      const bytes = encodeAsset(b.asset);
      const s = stream(bytes, { splitLeaf: root });
      if (s instanceof Error) throw s;
      let expected = '-';
      let problem = 'ok';
      if (s.splitLeaf) {
        const node = splitLeafNode(b.asset, root);
        if (toHex(node.hash) !== toHex(s.splitLeaf.hash)) throw new Error(`${b.name}: the stream's split leaf differs from assets/'s`);
        expected = toHex(node.hash);
      } else {
        problem = PROBLEMS.find(([re]) => re.test(s.splitLeafProblem!))?.[1] ?? '?';
        if (problem === '?') throw new Error(`${b.name}: unmapped split leaf problem ${s.splitLeafProblem}`);
      }
      lines.push(`leaf ${hex(bytes)} ${root.lockTime} ${root.relativeLockTime} ${expected} ${problem}`);
    }
  }
  return file('Split leaves of assets as tapd vm.validateSplit puts them in the split tree: leaf hex root_lock_time root_relative_lock_time hash|- problem', [
    'hash computed with assets/ (assetLeafValue); the problem as test/firmware/asset-stream.ts names it',
  ], lines);
}

function strippedVectors(): string {
  const lines: string[] = [];
  for (const b of baseAssets()) {
    const bytes = encodeAsset(b.asset);
    const s = stream(bytes, { stripped: true });
    lines.push(s instanceof Error ? `refuse ${hex(bytes)}` : `stripped ${hex(bytes)} ${toHex(s.stripped!)}`);
  }
  return file('Stripped digests of root assets (docs/tap-app-protocol.md §5.5 step 2c): stripped hex digest, or refuse hex (a split commitment in its witnesses)', [
    'test/firmware/asset-stream.ts pullAsset({ stripped: true })',
  ], lines);
}

function mssmtVectors(): string {
  const lines: string[] = [];
  for (const h of [0, 1, 2, 128, 255, 256]) lines.push(`empty ${h} ${toHex(EMPTY_TREE[h]!.hash)}`);
  // Folds of the split proofs of real transfers: leaf to root under the root's split commitment.
  for (const recipients of [1, 2, 20]) {
    const p = transferPacket({ recipients });
    const root = p.outputs[0]!.asset!;
    p.outputs.forEach((o, j) => {
      const a = j === 0 ? o.splitAsset! : o.asset!;
      const sc = a.prevWitnesses[0]!.splitCommitment!;
      const key = splitLocatorKey(o.anchorOutputIndex, assetId(a.genesis), a.scriptKey);
      const leaf = splitLeafNode(a, root);
      const bits = toHex(encodeCompressedProof(sc.proof).subarray(-32));
      const nodes = sc.proof.nodes.length ? toHex(concat(...sc.proof.nodes.flatMap((n) => [n.hash, u64be(n.sum)]))) : '.';
      lines.push(`fold ${toHex(key)} ${toHex(leaf.hash)} ${leaf.sum} ${bits} ${nodes} ${toHex(root.splitCommitmentRoot!.hash)} ${root.splitCommitmentRoot!.sum}`);
    });
  }
  // Small trees, as the virtual input tree: n leaves at random keys.
  const pick = rng(0xa11ce);
  for (const n of [1, 2, 3, 5, 8, 17, 64]) {
    const leaves = Array.from({ length: n }, (_, i) => ({ key: sha256(u32be(n * 1000 + i)), value: sha256(u32be(pick(1 << 30))), sum: BigInt(pick(1_000_000)) }));
    const root = n <= 8 ? leaves.reduce((t, l) => t.insert(l.key, l.value, l.sum), new MssmtTree()).root() : splitTree(leaves).root;
    lines.push(`tree ${n} ${leaves.map((l) => `${toHex(l.key)} ${toHex(leafNode(l.value, l.sum).hash)} ${l.sum}`).join(' ')} ${toHex(root.hash)} ${root.sum}`);
  }
  // The same leaves in tree order, for the builder; and the split leaves of a transfer.
  for (const n of [1, 2, 3, 17, 64]) {
    const leaves = Array.from({ length: n }, (_, i) => ({ key: sha256(u32be(7 * n + i)), value: sha256(u32be(i)), sum: BigInt(i + 1) }));
    lines.push(buildLine(leaves.map((l) => ({ ...l, hash: leafNode(l.value, l.sum).hash })), splitTree(leaves).root));
  }
  const p = transferPacket({ recipients: 20 });
  lines.push(
    buildLine(
      p.outputs.map((o, j) => {
        const a = j === 0 ? o.splitAsset! : o.asset!;
        const leaf = splitLeafNode(a, p.outputs[0]!.asset!);
        return { key: splitLocatorKey(o.anchorOutputIndex, assetId(a.genesis), a.scriptKey), hash: leaf.hash, sum: leaf.sum };
      }),
      p.outputs[0]!.asset!.splitCommitmentRoot!,
    ),
  );
  return file('MS-SMT: empty subtree roots (empty height hash), proof folds (fold key leaf_hash leaf_sum bits nodes root_hash root_sum), small trees (tree n (key leaf_hash sum)*n root_hash root_sum), the same in tree order (build ...)', [
    'assets/mssmt (EMPTY_TREE, MssmtTree up to 8 leaves, the fixtures\' splitTree above), split proofs of test/unit/tap-app/vpsbt-fixture.ts transfers',
  ], lines);
}

/** Tree order: a before b when, at the first depth where their bits differ, a's bit is 0. */
function treeOrder(a: Uint8Array, b: Uint8Array): number {
  for (let d = 0; d < MSSMT_DEPTH; d++) if (keyBit(a, d) !== keyBit(b, d)) return keyBit(a, d) - keyBit(b, d);
  return 0;
}

/** Leaves (key, leaf hash, sum) in tree order and the root they make. */
function buildLine(leaves: { key: Uint8Array; hash: Uint8Array; sum: bigint }[], root: MssmtNode): string {
  const sorted = [...leaves].sort((a, b) => treeOrder(a.key, b.key));
  return `build ${sorted.length} ${sorted.map((l) => `${toHex(l.key)} ${toHex(l.hash)} ${l.sum}`).join(' ')} ${toHex(root.hash)} ${root.sum}`;
}

function genesisVectors(): string {
  const lines: string[] = [];
  const genesisOf = (a: Asset) => a.genesis;
  const seen = new Set<string>();
  for (const b of baseAssets()) {
    const g = genesisOf(b.asset);
    const v = encodeGenesis(g);
    if (seen.has(toHex(v))) continue;
    seen.add(toHex(v));
    lines.push(`genesis ${hex(v)} ${toHex(assetId(g))} ${g.type}`);
  }
  const g = genesisOf(transferPacket().inputs[0]!.asset!);
  const withTag = (tag: Uint8Array) => concat(encodeGenesis(g).subarray(0, 36), Uint8Array.of(tag.length), tag, encodeGenesis(g).subarray(37 + utf8.encode(g.tag).length));
  lines.push(`genesis ${hex(withTag(utf8.encode('€ and ✓ in a name')))} ${toHex(assetId({ ...g, tag: '€ and ✓ in a name' }))} ${g.type}`);
  lines.push(`genesis ${hex(withTag(new Uint8Array(64).fill(0x61)))} ${toHex(assetId({ ...g, tag: 'a'.repeat(64) }))} ${g.type}`);
  // A name that starts with a byte-order mark: the ID hashes the tag's bytes, the mark included.
  const bom = withTag(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61));
  lines.push(`genesis ${hex(bom)} ${toHex(assetId(decodeGenesis(bom)))} ${g.type}`);
  for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]])
    lines.push(`refuse ${hex(withTag(Uint8Array.from(bad)))}`);
  lines.push(`refuse ${hex(withTag(new Uint8Array(65).fill(0x61)))}`);
  const v = encodeGenesis(g);
  lines.push(`refuse ${hex(v.subarray(0, v.length - 1))}`, `refuse ${hex(concat(v, Uint8Array.of(0)))}`);
  return file('Genesis records and asset IDs: genesis value asset_id type, or refuse value', ['assets/asset/genesis.ts (assetId, encodeGenesis)'], lines);
}

/** The input assets a root spends, in the order of its prev witnesses. */
function inputsInWitnessOrder(root: Asset, inputs: InputAsset[]): InputAsset[] {
  return root.prevWitnesses.map((w) => inputs.find((i) => toHex(prevIdHash(i.prevId)) === toHex(prevIdHash(w.prevId!)))!);
}

/** `device`: input i is the device's BIP-86 script key at m/1017'/1'/212'/0/i (the suite's transfers). */
function sighashLine(root: Asset, inputs: InputAsset[], i: number, hashType: number, sig: Uint8Array | undefined, device = false): string {
  const group = isGroupGenesis(root);
  const vtx = virtualTx(root, inputs);
  const prevOut = group ? genesisPrevOut(root) : inputPrevOut(inputs[i]!.asset);
  const msg = virtualTxSighash(vtx, root, i, prevOut, { sighashType: hashType });
  const ins = group ? [] : inputs.flatMap((x) => [toHex(encodePrevId(x.prevId)), toHex(encodeAsset(x.asset))]);
  return ['sighash', toHex(encodeAsset(root)), group ? 1 : 0, ins.length / 2, ...ins, i, hashType, toHex(msg), opt(sig), device ? 'device' : '-'].join(' ');
}

/** Sighash lines of one tapd VM vector, or why it has none. */
function vmSighashLines(t: any): string[] {
  const root = assetFromJson(t.asset);
  if (root.prevWitnesses[0]?.splitCommitment) return [];
  const all: InputAsset[] = (t.input_set ?? []).map((x: any, n: number) => ({ prevId: prevIdFromJson(x.prev_id, `input_set[${n}]`)!, asset: assetFromJson(x.asset) }));
  const group = isGroupGenesis(root);
  const inputs = group ? [] : inputsInWitnessOrder(root, all);
  if (!group && (inputs.some((x) => x === undefined) || new Set(inputs.map((x) => toHex(prevIdHash(x.prevId)))).size !== all.length))
    return [`# skipped: ${t.comment} (its witnesses do not name each input once)`];
  return root.prevWitnesses.map((w, i) => {
    const sig = w.txWitness.length === 1 ? w.txWitness[0]! : undefined;
    return sighashLine(root, inputs, i, sig?.length === 65 ? sig[64]! : 0, sig?.subarray(0, 64));
  });
}

function vtxVectors(): string {
  const lines: string[] = ['# tapd vm vectors: every key-path witness tapd signed'];
  for (const t of json('taproot-assets/vm/testdata/vm_validation_generated.json').valid_test_cases as any[]) lines.push(...vmSighashLines(t));
  lines.push('# transfers of the test suite (test/unit/tap-app/vpsbt-fixture.ts), SIGHASH_DEFAULT and ALL');
  for (const opts of [{ recipients: 1 }, { recipients: 2, inputs: [7n, 5n, 3n] }, { recipients: 20, inputs: [1_000_000n] }]) {
    const p = transferPacket(opts);
    const root = p.outputs[0]!.asset!;
    const inputs = p.inputs.map((vin) => ({ prevId: vin.prevId, asset: vin.asset! }));
    for (const type of [0, 1]) inputs.forEach((_, i) => lines.push(sighashLine(root, inputs, i, type, undefined, true)));
  }
  return file('Virtual-transaction sighashes (docs/taproot-assets.md §2): sighash root group n (prev_id asset)*n input hash_type sighash signature|- device|-', [
    'assets/vtx/virtual-tx.ts (virtualTx, virtualTxSighash); signatures from test/vectors/taproot-assets/vm',
  ], lines);
}

function keyVectors(): string {
  const seed = mnemonicToSeedSync(SPECULOS_MNEMONIC);
  const master = HDKey.fromMasterSeed(seed);
  const path = (p: number[]) => p.map((x) => x.toString(16)).join('/');
  const lines: string[] = [`seed ${toHex(seed)}`];
  const paths = [[], [0x80000000 + 86, 0x80000001, 0x80000000], [0x80000000 + 86, 0x80000001, 0x80000000, 0, 7], ...[0, 1, 100].map(scriptKeyPath)];
  for (const p of paths) lines.push(`derive ${p.length ? path(p) : '.'} ${toHex(master.derive(p.length ? 'm/' + p.map((x) => (x >= 0x80000000 ? `${x - 0x80000000}'` : `${x}`)).join('/') : 'm').publicKey!)}`);
  const p = transferPacket({ inputs: [1n, 2n] });
  p.inputs.forEach((vin, i) => lines.push(`sign ${path(scriptKeyPath(i))} . ${toHex(vin.prevId.scriptKey)}`));
  for (const [i, data] of [new Uint8Array(0), sha256(u32be(1)), new Uint8Array(45).fill(7)].entries()) {
    const internal = master.derive(`m/1017'/1'/212'/0/${i}`).publicKey!;
    const q = taprootTweak(Point.fromBytes(internal), data).toBytes(true);
    lines.push(`tweak ${toHex(internal.subarray(1))} ${hex(data)} ${toHex(q)}`);
    lines.push(`sign ${path(scriptKeyPath(i))} ${hex(data)} ${toHex(q)}`);
  }
  return file('Keys: the Speculos seed (seed hex), BIP-32 public keys (derive path pubkey; path in hex steps, . for m), taproot tweaks (tweak internal_x data output_key), script keys the device signs for (sign path data script_key)', [
    '@scure/bip32 from the Speculos mnemonic; assets/crypto.ts taprootTweak; transfers of test/unit/tap-app/vpsbt-fixture.ts',
  ], lines);
}

const list = (xs: readonly (Uint8Array | string)[]): string => [xs.length, ...xs.map((x) => (typeof x === 'string' ? x : hex(x)))].join(' ');
const tweakList = (tweaks: Uint8Array[], xonly: boolean[]): string => [tweaks.length, ...tweaks.flatMap((t, i) => [toHex(t), xonly[i] ? 1 : 0])].join(' ');

function bip327Vectors(): string[] {
  const v = (name: string): any => json(`bips/bip-0327/${name}_vectors.json`);
  const lines: string[] = ['# BIP-327 vectors'];
  const sort = v('key_sort');
  lines.push(`keysort ${list(sort.pubkeys)} ${sort.sorted_pubkeys.join(' ')}`);
  const ka = v('key_agg');
  for (const c of ka.valid_test_cases) lines.push(`keyagg ${list(c.key_indices.map((i: number) => ka.pubkeys[i]))} 0 ${c.expected}`);
  for (const c of ka.error_test_cases)
    lines.push(`keyagg-refuse ${list(c.key_indices.map((i: number) => ka.pubkeys[i]))} ${tweakList(c.tweak_indices.map((i: number) => fromHex(ka.tweaks[i])), c.is_xonly)}`);
  for (const c of v('nonce_gen').test_cases) {
    const o = (x: string | null) => (x === null ? '-' : x === '' ? '.' : x);
    lines.push(`noncegen ${c.rand_} ${o(c.sk)} ${c.pk} ${o(c.aggpk)} ${o(c.msg)} ${o(c.extra_in)} ${c.expected_secnonce} ${c.expected_pubnonce}`);
  }
  const na = v('nonce_agg');
  for (const c of na.valid_test_cases) lines.push(`nonceagg ${list(c.pnonce_indices.map((i: number) => na.pnonces[i]))} ${c.expected}`);
  for (const c of na.error_test_cases) lines.push(`nonceagg-refuse ${list(c.pnonce_indices.map((i: number) => na.pnonces[i]))} ${c.error.signer}`);
  const sv = v('sign_verify');
  const msgOf = (m: string) => (m === '' ? '.' : m);
  for (const c of sv.valid_test_cases) {
    const keys = c.key_indices.map((i: number) => sv.pubkeys[i]);
    lines.push(`sign ${sv.sk} ${sv.secnonces[0]} ${list(keys)} ${sv.aggnonces[c.aggnonce_index]} ${msgOf(sv.msgs[c.msg_index])} 0 ${c.expected}`);
    lines.push(`verify ok ${c.expected} ${list(keys)} ${list(c.nonce_indices.map((i: number) => sv.pnonces[i]))} ${msgOf(sv.msgs[c.msg_index])} 0 ${c.signer_index}`);
  }
  for (const c of sv.sign_error_test_cases) {
    const keys = c.key_indices.map((i: number) => sv.pubkeys[i]);
    lines.push(`sign-refuse ${sv.sk} ${sv.secnonces[c.secnonce_index]} ${list(keys)} ${sv.aggnonces[c.aggnonce_index]} ${msgOf(sv.msgs[c.msg_index])} 0`);
  }
  for (const [verdict, cases] of [['fail', sv.verify_fail_test_cases], ['refuse', sv.verify_error_test_cases]] as const)
    for (const c of cases)
      lines.push(`verify ${verdict} ${c.sig} ${list(c.key_indices.map((i: number) => sv.pubkeys[i]))} ${list(c.nonce_indices.map((i: number) => sv.pnonces[i]))} ${msgOf(sv.msgs[c.msg_index])} 0 ${c.signer_index}`);
  const tw = v('tweak');
  for (const c of tw.valid_test_cases) {
    const keys = c.key_indices.map((i: number) => tw.pubkeys[i]);
    const tweaks = tweakList(c.tweak_indices.map((i: number) => fromHex(tw.tweaks[i])), c.is_xonly);
    lines.push(`sign ${tw.sk} ${tw.secnonce} ${list(keys)} ${tw.aggnonce} ${tw.msg} ${tweaks} ${c.expected}`);
    lines.push(`verify ok ${c.expected} ${list(keys)} ${list(c.nonce_indices.map((i: number) => tw.pnonces[i]))} ${tw.msg} ${tweaks} ${c.signer_index}`);
  }
  for (const c of tw.error_test_cases)
    lines.push(`sign-refuse ${tw.sk} ${tw.secnonce} ${list(c.key_indices.map((i: number) => tw.pubkeys[i]))} ${tw.aggnonce} ${tw.msg} ${tweakList(c.tweak_indices.map((i: number) => fromHex(tw.tweaks[i])), c.is_xonly)}`);
  const sa = v('sig_agg');
  for (const c of sa.valid_test_cases)
    lines.push(
      `sigagg ${list(c.key_indices.map((i: number) => sa.pubkeys[i]))} ${c.aggnonce} ${sa.msg} ${tweakList(c.tweak_indices.map((i: number) => fromHex(sa.tweaks[i])), c.is_xonly)} ${list(c.psig_indices.map((i: number) => sa.psigs[i]))} ${c.expected}`,
    );
  for (const c of sa.error_test_cases)
    lines.push(
      `sigagg-refuse ${list(c.key_indices.map((i: number) => sa.pubkeys[i]))} ${c.aggnonce} ${sa.msg} ${tweakList(c.tweak_indices.map((i: number) => fromHex(sa.tweaks[i])), c.is_xonly)} ${list(c.psig_indices.map((i: number) => sa.psigs[i]))} ${c.error.signer}`,
    );
  return lines;
}

/** Whole sessions run by @scure/btc-signer, as the host and the emulator run them. */
function sessionVectors(): string[] {
  const lines: string[] = ['# MuSig2 sessions of @scure/btc-signer (the host and emulator implementation), with tweaks as script keys use them'];
  const cases = [
    { n: 2, tweak: 'bip86' },
    { n: 3, tweak: 'root' },
    { n: 2, tweak: 'plain+xonly' },
    { n: 5, tweak: 'none' },
  ];
  cases.forEach((c, k) => {
    const sks = Array.from({ length: c.n }, (_, i) => sha256(utf8.encode(`firmware session ${k} party ${i}`)));
    const pks = sks.map((sk) => Point.BASE.multiply(BigInt('0x' + toHex(sk)) % CURVE_ORDER).toBytes(true));
    const plain = keyAggExport(keyAggregate(pks));
    let tweaks: Uint8Array[] = [];
    let xonly: boolean[] = [];
    if (c.tweak === 'bip86') [tweaks, xonly] = [[taggedHash('TapTweak', plain)], [true]];
    if (c.tweak === 'root') [tweaks, xonly] = [[taggedHash('TapTweak', plain, sha256(u32be(k)))], [true]];
    if (c.tweak === 'plain+xonly') [tweaks, xonly] = [[sha256(u32be(1)), sha256(u32be(2))], [false, true]];
    const aggpk = keyAggExport(keyAggregate(pks, tweaks, xonly));
    const msg = sha256(utf8.encode(`firmware session ${k} message`));
    const nonces = sks.map((sk, i) => nonceGen(pks[i]!, sk, aggpk, msg, undefined, sha256(utf8.encode(`rand ${k} ${i}`))));
    const aggnonce = nonceAggregate(nonces.map((x) => x.public));
    const session = new Session(aggnonce, pks, msg, tweaks, xonly);
    const psigs = sks.map((sk, i) => session.sign(Uint8Array.from(nonces[i]!.secret), sk));
    const tl = tweakList(tweaks, xonly);
    sks.forEach((sk, i) => {
      lines.push(`noncegen ${toHex(sha256(utf8.encode(`rand ${k} ${i}`)))} ${toHex(sk)} ${toHex(pks[i]!)} ${toHex(aggpk)} ${toHex(msg)} - ${toHex(nonces[i]!.secret)} ${toHex(nonces[i]!.public)}`);
      lines.push(`sign ${toHex(sk)} ${toHex(nonces[i]!.secret)} ${list(pks)} ${toHex(aggnonce)} ${toHex(msg)} ${tl} ${toHex(psigs[i]!)}`);
      lines.push(`verify ok ${toHex(psigs[i]!)} ${list(pks)} ${list(nonces.map((x) => x.public))} ${toHex(msg)} ${tl} ${i}`);
    });
    lines.push(`sigagg ${list(pks)} ${toHex(aggnonce)} ${toHex(msg)} ${tl} ${list(psigs)} ${toHex(session.partialSigAgg(psigs))}`);
    lines.push(`keyagg ${list(pks)} ${tl} ${toHex(aggpk)}`);
  });
  return lines;
}

/** Session slots as the emulator keeps them (emulator/apps/common/musig-sessions.ts), and randIJ. */
function sessionStoreVectors(): string[] {
  const lines = ['# session store: op (store id rand_root | pop id found) then the 8 slots (id||rand_root, . when free); rand root i j rand'];
  const nvram = new Map<string, Uint8Array>();
  const id = (k: number) => sha256(u32be(k));
  const root = (k: number) => sha256(u32be(100 + k));
  const slots = () => Array.from({ length: MAX_MUSIG_SESSIONS }, (_, i) => nvram.get(`bitcoin.musig.session.${i}`) ?? new Uint8Array(0)).map((b) => (b.every((x) => x === 0) ? '.' : toHex(b)));
  const ops: [string, number][] = [['store', 1], ['store', 2], ['pop', 1], ['store', 3], ['store', 2], ['pop', 9], ...Array.from({ length: 8 }, (_, k): [string, number] => ['store', 10 + k]), ['pop', 3], ['pop', 3]];
  for (const [op, k] of ops) {
    if (op === 'store') {
      storeSession(nvram, { id: id(k), randRoot: root(k) });
      lines.push(`session store ${toHex(id(k))} ${toHex(root(k))} ${slots().join(' ')}`);
    } else {
      const found = popSession(nvram, id(k)) !== undefined;
      lines.push(`session pop ${toHex(id(k))} ${found ? 1 : 0} ${slots().join(' ')}`);
    }
  }
  for (const [i, j] of [[0, 0], [3, 0], [70000, 2]] as const) lines.push(`rand ${toHex(root(0))} ${i} ${j} ${toHex(randIJ({ id: id(0), randRoot: root(0) }, i, j))}`);
  return lines;
}

function musigVectors(): string {
  return file('MuSig2 (BIP-327): keysort, keyagg[-refuse], noncegen, nonceagg[-refuse], sign[-refuse], verify ok|fail|refuse, sigagg[-refuse], session, rand; lists are a count then the items, tweaks are (tweak is_xonly) pairs', [
    'test/vectors/bips/bip-0327 (bitcoin/bips), flattened', '@scure/btc-signer musig2 sessions',
    'emulator/apps/common/musig-sessions.ts (session slots, randIJ)',
  ], [...bip327Vectors(), ...sessionVectors(), ...sessionStoreVectors()]);
}

/** The EMPTY[h] table a firmware keeps in flash (firmware/tap-app/core/tap_mssmt_empty.c). */
export function emptyTableSource(): string {
  const rows = EMPTY_TREE.map((n, h) => `    /* ${String(h).padStart(3)} */ {${Array.from(n.hash, (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}},`);
  return [
    '/* EMPTY[h], the root hash of an empty MS-SMT subtree whose top is at depth h (sums are all zero):',
    ` * EMPTY[${MSSMT_DEPTH}] = SHA256(u64be(0)), EMPTY[h] = SHA256(EMPTY[h+1] || EMPTY[h+1] || u64be(0)).`,
    ` * ${PROVENANCE} The C tests recompute it. */`,
    '#include "tap_mssmt.h"',
    '',
    'const uint8_t TAP_MSSMT_EMPTY[TAP_MSSMT_DEPTH + 1][32] = {',
    ...rows,
    '};',
    '',
  ].join('\n');
}

/** Every vector file, by path relative to the repository root. */
/**
 * The SIGN_VPSBT v2 grammar (apdu/tap-app/vpsbt-stream-reader.ts) over honest streams and seeded
 * mutations of them, pushed in chunks of a given size: the first status word a push raises
 * (RequestError's, or 6A87 for a CodecError), else whether the stream is done, and where the root
 * item ended (the MuSig2 session id digests the stream up to there).
 */
function streamGrammarVectors(): string {
  const fingerprint = FINGERPRINT;
  const musigKeys = [foreignKey(70), deviceScriptKey(0).scriptKey];
  const withParticipants = withMusigParticipants(streamedTransfer(3), 0, musigKeys, [deviceScriptKey(0).derivation]);
  const nonces = musigKeys.map((participant, i) => ({ participant, pubnonce: concat(Uint8Array.of(2), sha256(u32be(i)), Uint8Array.of(3), sha256(u32be(i + 9))) }));
  const addressed = transferPacket({ recipients: 2, lockTime: 900n, relativeLockTime: 3n, courier: 'authmailbox+universerpc://courier.example:10029' });
  const o = addressed.outputs[1]!;
  o.anchorOutputInternalKey = foreignKey(40);
  o.anchorOutputTapscriptSibling = { type: 0, preimage: Uint8Array.of(0xc0, 1, 0x51) };
  o.address = { version: 1, assetVersion: 0, assetId: assetId(o.asset!.genesis), scriptKey: o.asset!.scriptKey, internalKey: foreignKey(40), tapscriptSibling: o.anchorOutputTapscriptSibling, amount: o.asset!.amount, proofCourierAddr: 'authmailbox+universerpc://courier.example:10029', unknownOddTypes: [] };
  const bases: [string, Uint8Array][] = [
    ['2 outputs', encodeVpsbtStreamFor(transferPacket({ recipients: 1 }), { fingerprint }).bytes],
    ['lock times, courier, address, sibling, internal key, change', encodeVpsbtStreamFor(addressed, { fingerprint }).bytes],
    ['explicit root and leaf', encodeVpsbtStreamFor(streamedTransfer(4, { oddRecord: true }), { fingerprint }).bytes],
    ['unsplit', encodeVpsbtStreamFor(unsplitTransfer(), { fingerprint }).bytes],
    ['MuSig2 round 1', encodeVpsbtStreamFor(withParticipants, { fingerprint, mode: StreamMode.musigRound1 }).bytes],
    ['MuSig2 round 2', encodeVpsbtStreamFor(withMusigPubNonces(withParticipants, 0, new Uint8Array(33).fill(2), nonces), { fingerprint }).bytes],
  ];
  const verdict = (bytes: Uint8Array, chunk: number): string => {
    const reader = new VpsbtStreamReader();
    try {
      for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, at + chunk));
    } catch (e) {
      if (e instanceof RequestError) return e.statusWord.toString(16);
      if (e instanceof CodecError) return '6a87';
      throw e;
    }
    return `${reader.done ? 'done' : 'more'} ${reader.rootEnd ?? '-'}`;
  };
  const pick = rng(0x57e4);
  const lines: string[] = [];
  bases.forEach(([name, bytes], id) => {
    lines.push(`# ${name}: base id bytes; then m base kind(0 replace, 1 cut, 2 insert, 3 remove) at byte chunk verdict(sw | done/more root_end)`);
    lines.push(`base ${id} ${hex(bytes)}`);
    for (const chunk of [255, 1, 7]) lines.push(`m ${id} 0 0 ${bytes[0]} ${chunk} ${verdict(bytes, chunk)}`);
    for (let i = 0; i < STREAM_MUTATIONS_PER_BASE; i++) {
      const { kind, at, byte, bytes: m } = mutate(bytes, pick);
      const chunk = [255, 255, 1 + pick(64)][pick(3)]!;
      lines.push(`m ${id} ${kind} ${at} ${byte} ${chunk} ${verdict(m, chunk)}`);
    }
  });
  return file('SIGN_VPSBT v2 stream grammar (apdu/tap-app/vpsbt-stream-reader.ts) over honest and mutated streams', [
    'transfers of test/unit/tap-app/vpsbt-fixture.ts and test/unit/tap-v2/transfers.ts, encoded by host/tap-app/vpsbt-stream.ts',
  ], lines);
}

const STREAM_MUTATIONS_PER_BASE = 500;

export async function firmwareVectorFiles(): Promise<Record<string, string>> {
  return {
    'test/vectors/firmware/commands.txt': await commandTranscripts(),
    'test/vectors/firmware/stream.txt': streamGrammarVectors(),
    'test/vectors/firmware/asset.txt': assetVectors(),
    'test/vectors/firmware/split-leaf.txt': splitLeafVectors(),
    'test/vectors/firmware/stripped.txt': strippedVectors(),
    'test/vectors/firmware/mssmt.txt': mssmtVectors(),
    'test/vectors/firmware/genesis.txt': genesisVectors(),
    'test/vectors/firmware/vtx-sighash.txt': vtxVectors(),
    'test/vectors/firmware/keys.txt': keyVectors(),
    'test/vectors/firmware/musig.txt': musigVectors(),
    'firmware/tap-app/core/tap_mssmt_empty.c': emptyTableSource(),
  };
}

