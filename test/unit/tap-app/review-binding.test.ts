// What is shown must be what is signed (issue 10 §1, docs/tap-app-protocol.md §6): each attack that
// once got a signature for something else than the review showed, reproduced with a packet that is
// otherwise coherent (its split proofs, sums and keys are valid, so only the rule under test can
// refuse it), is refused with 6A80 before anything is shown; the honest variant is reviewed page by
// page, approved as a person would, and its signatures verify (@noble/curves) over the assets/
// sighash. Refusals by the review builder also name the field in the host's preview.

import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, toHex } from '../../../apdu/bytes.ts';
import { parsePoint, tapLeafHash, taprootTweak } from '../../../assets/crypto.ts';
import { NonSpendLeafVersion, nonSpendableLeafScript } from '../../../assets/group/group-key.ts';
import { encodeAddress, type TapAddress } from '../../../assets/address/address.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { describeVPacket } from '../../../assets/display/model.ts';
import type { VOutput, VPacket } from '../../../assets/vpsbt/packet.ts';
import { walkStreamedReview } from './device.ts';
import type { VpsbtStream } from '../../../apdu/tap-app/vpsbt-stream.ts';
import { GENESIS, deviceScriptKey, foreignKey, runLyingStream, runSignVpsbt, sighashes, transferPacket, type TransferOptions } from './vpsbt-fixture.ts';

const COURIER = 'authmailbox+universerpc://courier.example:10029';
const ANCHOR_KEY = foreignKey(40);
const own = (p: VPacket) => ({ ownScriptKeys: [deviceScriptKey(100, p.chainHrp === 'tapbc' ? 0 : 1).scriptKey] });

/** The address a recipient gave for output `o` (tapd address.go fields), with `over` changed. */
function addressFor(o: VOutput, over: Partial<TapAddress> = {}): TapAddress {
  const a = o.asset!;
  return { version: 1, assetVersion: a.version, assetId: assetId(a.genesis), scriptKey: a.scriptKey, internalKey: ANCHOR_KEY, amount: a.amount, proofCourierAddr: COURIER, unknownOddTypes: [], ...over };
}

function withAddress(p: VPacket, over: Partial<TapAddress> = {}): VPacket {
  const o = p.outputs[1]!;
  o.address = addressFor(o, over);
  o.anchorOutputInternalKey = ANCHOR_KEY;
  return p;
}

/** 6A80 (or `sw`), no signature; `field`, when the builder is the one refusing, is named in the preview. */
async function expectRefused(p: VPacket, field?: string, sw = 0x6a80): Promise<void> {
  if (field) expect(describeVPacket(p, own(p)).refused).toContain(field);
  const { pending } = await runSignVpsbt(p);
  expect(await pending).toMatchObject({ statusWord: sw, results: [] });
}

/**
 * Walks the streamed review with the device's buttons (each step continues at its last page, the
 * declared warnings after the start page), checks the pages carry the host preview's items in
 * order, and verifies every signature.
 */
async function reviewAndSign(p: VPacket): Promise<string> {
  const model = describeVPacket(p, own(p));
  expect(model.refused).toBeUndefined();
  const { t, pending, packet } = await runSignVpsbt(p, { autoApprove: false });
  const pages = await walkStreamedReview(t.device);
  expect(pages.filter((s) => s.startsWith('Warning'))).toEqual(model.warnings.map((w) => expect.stringContaining(w.slice(0, 20))));
  const run = await pending;
  expect(run.statusWord).toBe(0x9000);
  const text = pages.join(' ');
  let at = 0;
  for (const item of model.items) {
    const i = text.indexOf(item.label, at);
    expect(i, `label ${item.label}`).toBeGreaterThanOrEqual(at);
    at = i;
  }
  const hashes = sighashes(packet);
  expect(run.results.length).toBeGreaterThan(0);
  for (const y of run.results) {
    if (y.kind !== 'signature') throw new Error('expected single-key signatures');
    expect(schnorr.verify(y.signature, hashes[y.input]!, packet.inputs[y.input]!.prevId.scriptKey.subarray(1))).toBe(true);
  }
  return text;
}

/** A change to the stream itself, past the host's encoder (which refuses to build such a stream). */
class Lie {
  constructor(readonly lie: (s: VpsbtStream) => void) {}
}
const lie = (f: (s: VpsbtStream) => void) => new Lie(f);

/** The value of `label` as read across its pages: without their "label (i/n)" titles and the breaks of wrapped lines. */
const flat = (text: string, label: string): string => text.replaceAll(new RegExp(`${label} \\(\\d+/\\d+\\)`, 'g'), '').replace(/ /g, '');

describe('0x7f address: shown only when it re-derives from the output (asset ID, script key, amount, version, anchor keys)', () => {
  it('a matching address is the recipient shown; the packet is signed', async () => {
    const p = withAddress(transferPacket({ courier: COURIER }));
    const text = await reviewAndSign(p);
    expect(flat(text, 'Output 2 recipient')).toContain(encodeAddress(p.outputs[1]!.address!, 'taprt'));
  });

  describe('V2: the output pays the unique script key of the asset ID (asset.DeriveUniqueScriptKey)', () => {
    const K = foreignKey(70);
    const unique = concat(Uint8Array.of(2), taprootTweak(parsePoint(K, 'K'), tapLeafHash(nonSpendableLeafScript(NonSpendLeafVersion.pedersen, assetId(GENESIS)))).toBytes(true).subarray(1));
    it('its unique key, amount left to the sender (0): shown and signed', async () => {
      const p = withAddress(transferPacket({ recipientKeys: [unique] }), { version: 2, scriptKey: K, amount: 0n });
      expect(flat(await reviewAndSign(p), 'Output 2 recipient')).toContain(encodeAddress(p.outputs[1]!.address!, 'taprt'));
    });
    it('the address key itself, not the unique key -> 6a80', async () =>
      expectRefused(withAddress(transferPacket({ recipientKeys: [K] }), { version: 2, scriptKey: K, amount: 0n }), 'outputs[1].address'));
    it('its unique key, another amount than the address names -> 6a80', async () =>
      expectRefused(withAddress(transferPacket({ recipientKeys: [unique] }), { version: 2, scriptKey: K, amount: 5n }), 'outputs[1].address'));
  });

  const mismatches: [string, (p: VPacket) => void][] = [
    ['the attack: an address for script key A, the asset pays script key B', (p) => withAddress(p, { scriptKey: foreignKey(50) })],
    ['another asset ID', (p) => withAddress(p, { assetId: assetId({ ...GENESIS, tag: 'other' }) })],
    ['another amount', (p) => withAddress(p, { amount: 2n })],
    ['another asset version', (p) => withAddress(p, { assetVersion: 1 })],
    ['a group the asset is not in (V2 group address)', (p) => withAddress(p, { assetId: new Uint8Array(32), groupKey: foreignKey(51) })],
    ["another internal key than the anchor's (0x73)", (p) => withAddress(p, { internalKey: foreignKey(52) })],
    ["no tapscript sibling where the anchor carries one (0x78)", (p) => {
      withAddress(p);
      p.outputs[1]!.anchorOutputTapscriptSibling = { type: 0, preimage: Uint8Array.of(0xc0, 1, 0x51) };
    }],
  ];
  for (const [what, change] of mismatches)
    it(`${what} -> 6a80`, async () => {
      const p = transferPacket({ courier: COURIER });
      change(p);
      await expectRefused(p, 'outputs[1].address');
    });
});

// v2: the device derives every key at the network's coin type itself (the stream carries only the
// last index), so a mainnet key cannot be signed under a testnet review, nor called its change.
describe('coin type must match the network', () => {
  it("regtest shown, inputs at coin type 0' (mainnet keys): the device holds no key at 1' for them -> b013", async () =>
    expectRefused(transferPacket({ coin: 0 }), undefined, 0xb013));
  it("regtest shown, change at coin type 0': not called this signer's, shown as its script key", async () => {
    const text = await reviewAndSign(transferPacket({ changeCoin: 0 }));
    expect(text).not.toContain('this signer (change)');
    expect(text).toContain('Output 1 recipient (1/2) script key');
  });
  it("a host that names the coin-0' change index anyway -> 6a80 (the key at 1' is not the output's)", async () => {
    const run = await runLyingStream(transferPacket({ changeCoin: 0 }), (s) => void (s.outputs.find((o) => o.type === 1)!.changeKeyIndex = 100));
    expect(run).toMatchObject({ statusWord: 0x6a80, results: [] });
  });
  it("mainnet with coin type 0' keys is signed, the change recognised", async () => {
    const text = await reviewAndSign(transferPacket({ coin: 0, hrp: 'tapbc' }));
    expect(text).toContain('mainnet');
    expect(text).toContain('this signer (change)');
  });
});

describe("the signed root's asset is the inputs' asset", () => {
  const other = { ...GENESIS, tag: 'another coin' };
  it('inputs of asset X, root and outputs of genesis Y -> 6a80', async () => expectRefused(transferPacket({ outputGenesis: other }), 'root.asset.genesis'));
  it('root and outputs in a group the inputs are not in -> 6a80', async () =>
    expectRefused(transferPacket({ outputGroupKey: foreignKey(60) }), 'root.asset.groupKey'));
  it('inputs and root in the two groups of one x coordinate (02 / 03 prefix) -> 6a80', async () => {
    const flipped = foreignKey(60).slice();
    flipped[0]! ^= 1;
    await expectRefused(transferPacket({ inputGroupKey: foreignKey(60), outputGroupKey: flipped }), 'root.asset.groupKey');
  });
  it('inputs in a group, the root in none -> 6a80', async () => expectRefused(transferPacket({ inputGroupKey: foreignKey(60) }), 'root.asset.groupKey'));
  it('inputs and root of one group: the group key is shown, the packet signed', async () => {
    const text = await reviewAndSign(transferPacket({ inputGroupKey: foreignKey(60), outputGroupKey: foreignKey(60) }));
    expect(flat(text, 'Asset group key')).toContain(toHex(foreignKey(60)));
  });
});

describe("lock times: the root's are shown, 0x7c/0x7d must equal them", () => {
  it('the root signs lock time 500000 while 0x7c says 0 -> 6a80', async () =>
    expectRefused(transferPacket({ lockTime: 500_000n, vLockTime: 0n }), 'outputs[0].lockTime'));
  it("a recipient's 0x7c says another lock time than the root's -> 6a80", async () => {
    const p = transferPacket({ lockTime: 500_000n });
    p.outputs[1]!.lockTime = 7n;
    await expectRefused(p, 'outputs[1].lockTime');
  });
  it('the root signs relative lock time 0 while 0x7d says 6 -> 6a80', async () =>
    expectRefused(transferPacket({ vRelativeLockTime: 6n }), 'outputs[0].lockTime'));
  it('equal: "Lock time" and "Relative lock time" shown, the signature commits to them', async () => {
    const text = await reviewAndSign(transferPacket({ lockTime: 500_000n, relativeLockTime: 6n }));
    expect(text).toContain('Lock time 500000');
    expect(text).toContain('Relative lock time 6');
  });
});

describe("burn key: tapd's (the root's first prev witness), witnesses in input order, no duplicate prev IDs", () => {
  it('a burn is shown as BURN with its warning page; signed', async () => {
    const text = await reviewAndSign(transferPacket({ burn: true }));
    expect(text).toContain('BURN (provably unspendable)');
    expect(text).toContain('Warning This transfer burns assets');
    expect(text.indexOf('Warning')).toBeLessThan(text.indexOf('Network'));
  });
  it("the attack: witnesses reordered so tapd's burn key is not the packet's first input's -> 6a80", async () => {
    const opts: TransferOptions = { burn: true, witnessOrder: [1, 0] };
    await expectRefused(transferPacket(opts), 'root.asset.prevWitnesses[0].prevId');
  });
  it('two inputs with one prev ID (the total shown would count it twice) -> 6a80', async () => {
    const p = transferPacket();
    p.inputs[1] = structuredClone(p.inputs[0]!);
    await expectRefused(p, 'inputs[1].prevId');
  });
});

it('an asset name with homoglyph, zero-width and newline characters is shown escaped, never as such', async () => {
  const tag = 'T\u0430p\u200bcoin\nOutput 2 recipient';
  const text = await reviewAndSign(transferPacket({ genesis: { ...GENESIS, tag } }));
  expect(flat(text, 'Asset name')).toContain('T\\xd0\\xb0p\\xe2\\x80\\x8bcoin\\x0aOutput2recipient');
  expect(text).not.toContain('\u200b');
  expect(text).not.toContain('\u0430');
});

// docs/tap-app-protocol.md §6, table "field shown → what binds it": per row, the signed (or
// verified) data changed with the shown data kept, and the shown data changed with the signed kept.
// Each packet is otherwise coherent; each is refused before anything is shown.
describe('field → binding table: one tamper per row, both ways', () => {
  const other = { ...GENESIS, tag: 'another coin' };
  type Tamper = [string, ((p: VPacket) => void) | Lie, number?];
  const rows: [string, Tamper, Tamper][] = [
    [
      'Network',
      ["keys at coin type 0' under a regtest HRP", (p) => Object.assign(p, transferPacket({ coin: 0 })), 0xb013],
      ["the HRP says mainnet over coin type 1' keys", (p) => void (p.chainHrp = 'tapbc'), 0xb013],
    ],
    [
      'Asset ID',
      ['the root and outputs of another genesis', (p) => Object.assign(p, transferPacket({ outputGenesis: other }))],
      ["an input's prev ID names another asset", (p) => void (p.inputs[0]!.prevId = { ...p.inputs[0]!.prevId, assetId: assetId(other) })],
    ],
    [
      'Asset name',
      ['the root of a genesis with another tag', (p) => Object.assign(p, transferPacket({ outputGenesis: { ...GENESIS, tag: 'taproot-hw test coin.' } }))],
      ["an input's genesis tag changed, its prev ID kept", (p) => void (p.inputs[0]!.asset!.genesis = { ...GENESIS, tag: 'taproot-hw test coin.' })],
    ],
    [
      'Asset group key',
      ['the root in a group', (p) => Object.assign(p, transferPacket({ outputGroupKey: foreignKey(61) }))],
      ['the inputs in a group', (p) => Object.assign(p, transferPacket({ inputGroupKey: foreignKey(61) }))],
    ],
    [
      'Input n spends',
      ["the root's prev witness names another outpoint", (p) => void (p.outputs[0]!.asset!.prevWitnesses[1]!.prevId = { ...p.inputs[1]!.prevId, outPoint: { ...p.inputs[1]!.prevId.outPoint, index: 9 } })],
      ["the input's prev ID names another outpoint", (p) => void (p.inputs[1]!.prevId = { ...p.inputs[1]!.prevId, outPoint: { ...p.inputs[1]!.prevId.outPoint, index: 9 } })],
    ],
    [
      'Input n amount, Total in',
      ["the root's split commitment sums to one unit more", (p) => void (p.outputs[0]!.asset!.splitCommitmentRoot!.sum += 1n)],
      ["an input asset's amount", (p) => void (p.inputs[0]!.asset!.amount += 1n)],
    ],
    [
      'Output n amount, Total out',
      ["the root's split commitment root (another tree)", (p) => void (p.outputs[0]!.asset!.splitCommitmentRoot!.hash = sha256(Uint8Array.of(1)))],
      ["a recipient's asset amount", (p) => void (p.outputs[1]!.asset!.amount = 2n)],
    ],
    [
      'Output n recipient (script key)',
      ["the root's split asset (0x77) pays another key", (p) => void (p.outputs[0]!.splitAsset!.scriptKey = foreignKey(62))],
      ["a recipient's asset script key", (p) => void (p.outputs[1]!.asset!.scriptKey = foreignKey(62))],
    ],
    [
      'Output n recipient (address)',
      ['the asset pays another script key than the address', (p) => void (withAddress(p).outputs[1]!.asset!.scriptKey = foreignKey(63))],
      ['the address names another script key than the asset', (p) => void withAddress(p, { scriptKey: foreignKey(63) })],
    ],
    [
      'Output n recipient (this signer)',
      ["the root's script key is no longer the derivation's", (p) => void (p.outputs[0]!.asset!.scriptKey = foreignKey(64))],
      ['the host names a change index that does not give the script key', lie((s) => void (s.outputs.find((o) => o.type === 1)!.changeKeyIndex = 101))],
    ],
    [
      'Output n recipient (BURN) and its warning',
      ["the root's witnesses reordered: tapd's burn key is input 2's", (p) => Object.assign(p, transferPacket({ burn: true, witnessOrder: [1, 0] }))],
      ['the packet lists its inputs in another order than the root signs them', (p) => void p.inputs.reverse()],
    ],
    [
      'Output n kind',
      ['the split root type on a recipient', lie((s) => s.outputs.forEach((o) => void (o.type = 1 - o.type)))],
      ['no output of type split root', lie((s) => s.outputs.forEach((o) => void (o.type = 0)))],
    ],
    [
      'Output n anchor (split output)',
      ["the root's anchor index (part of its split locator)", (p) => void (p.outputs[0]!.anchorOutputIndex = 7)],
      ["a recipient's anchor index", (p) => void (p.outputs[1]!.anchorOutputIndex = 7)],
    ],
    [
      'Lock time, Relative lock time',
      ["the root's lock time, 0x7c kept", (p) => void (p.outputs[0]!.asset!.lockTime = 800_000n)],
      ['0x7d of every output, the root kept', (p) => p.outputs.forEach((o) => void (o.relativeLockTime = 6n))],
    ],
  ];
  const tamper = async ([, change, sw = 0x6a80]: Tamper, burn: boolean) => {
    const p = transferPacket({ burn });
    if (change instanceof Lie) expect(await runLyingStream(p, change.lie)).toMatchObject({ statusWord: sw, results: [] });
    else {
      change(p);
      await expectRefused(p, undefined, sw);
    }
  };
  for (const [row, signed, shown] of rows)
    describe(row, () => {
      const burn = row.startsWith('Output n recipient (BURN)');
      it(`signed changed (${signed[0]}), shown kept -> ${(signed[2] ?? 0x6a80).toString(16)}`, () => tamper(signed, burn));
      it(`shown changed (${shown[0]}), signed kept -> ${(shown[2] ?? 0x6a80).toString(16)}`, () => tamper(shown, burn));
    });

  it('not signed, labelled so: the proof courier, and the anchor index of an unsplit output', async () => {
    const split = await reviewAndSign(transferPacket({ courier: COURIER }));
    expect(split).toContain('Output 2 proof courier (not signed)');
    expect(split).toContain('Output 1 anchor BTC output #0');
    const p = transferPacket({ recipients: 0 });
    p.outputs[0]!.type = 0;
    delete p.outputs[0]!.asset!.splitCommitmentRoot;
    delete p.outputs[0]!.splitAsset;
    const unsplit = await reviewAndSign(p);
    expect(unsplit).toContain('Output 1 anchor (not signed) BTC output #0');
  });
});
