// What is shown must be what is signed (issue 10 §1, docs/tap-app-protocol.md §6): each attack that
// once got a signature for something else than the review showed, reproduced with a packet that is
// otherwise coherent (its split proofs, sums and keys are valid, so only the rule under test can
// refuse it), is refused with 6A80 before anything is shown; the honest variant is reviewed page by
// page, approved as a person would, and its signatures verify (@noble/curves) over the assets/
// sighash. Refusals by the review builder also name the field in the host's preview.

import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../apdu/bytes.ts';
import { decodeSignVpsbtYield } from '../../../apdu/tap-app/index.ts';
import { encodeAddress, type TapAddress } from '../../../assets/address/address.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { describeVPacket } from '../../../assets/display/model.ts';
import type { VOutput, VPacket } from '../../../assets/vpsbt/packet.ts';
import { chooseOnNano, untilScreen } from './device.ts';
import { GENESIS, deviceScriptKey, foreignKey, runSignVpsbt, sighashes, transferPacket, type TransferOptions } from './vpsbt-fixture.ts';

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

/** 6A80, no signature, no review page; `field`, when the builder is the one refusing, is named in the preview. */
async function expectRefused(p: VPacket, field?: string): Promise<void> {
  if (field) expect(describeVPacket(p, own(p)).refused).toContain(field);
  const { r, shown, pending } = await runSignVpsbt(p);
  expect(await pending).toEqual({ data: new Uint8Array(), statusWord: 0x6a80 });
  expect(r.yields).toEqual([]);
  expect(shown.join(' ')).not.toContain('Review asset transfer');
}

/**
 * Walks the warnings (Continue) and the review (to "Sign asset transfer") with the device's buttons,
 * checks the pages carry the host preview's items in order, and verifies every signature.
 */
async function reviewAndSign(p: VPacket): Promise<string> {
  const model = describeVPacket(p, own(p));
  expect(model.refused).toBeUndefined();
  const { t, r, pending, packet } = await runSignVpsbt(p, { autoApprove: false });
  const pages: string[] = [];
  for (const w of model.warnings) {
    pages.push(await untilScreen(t.device, (s) => s.startsWith('Warning')));
    expect(pages.at(-1)).toContain(w);
    await chooseOnNano(t.device, 'Continue');
  }
  await untilScreen(t.device, (s) => s.includes('Review asset transfer'));
  pages.push(...(await chooseOnNano(t.device, 'Sign asset transfer')));
  expect((await pending).statusWord).toBe(0x9000);
  const text = pages.join(' ');
  let at = 0;
  for (const item of model.items) {
    const i = text.indexOf(item.label, at);
    expect(i, `label ${item.label}`).toBeGreaterThanOrEqual(at);
    at = i;
  }
  const hashes = sighashes(packet);
  const yields = r.yields.map(decodeSignVpsbtYield);
  expect(yields.length).toBeGreaterThan(0);
  for (const y of yields) {
    if (y.type !== 'partialSignature') throw new Error('expected single-key signatures');
    expect(schnorr.verify(y.signature, hashes[y.inputIndex]!, y.pubkey)).toBe(true);
  }
  return text;
}

/** The value of `label` as read across its pages: without their "label (i/n)" titles and the breaks of wrapped lines. */
const flat = (text: string, label: string): string => text.replaceAll(new RegExp(`${label} \\(\\d+/\\d+\\)`, 'g'), '').replace(/ /g, '');

describe('0x7f address: shown only when it re-derives from the output (asset ID, script key, amount, version, anchor keys)', () => {
  it('a matching address is the recipient shown; the packet is signed', async () => {
    const p = withAddress(transferPacket({ courier: COURIER }));
    const text = await reviewAndSign(p);
    expect(flat(text, 'Output 2 recipient')).toContain(encodeAddress(p.outputs[1]!.address!, 'taprt'));
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

describe('coin type must match the network', () => {
  it("regtest shown, inputs at coin type 0' (mainnet keys) -> 6a80", async () => expectRefused(transferPacket({ coin: 0 })));
  it("regtest shown, change at coin type 0' called this signer's -> 6a80", async () => expectRefused(transferPacket({ changeCoin: 0 })));
  it("mainnet with coin type 0' keys is signed, the change recognised", async () => {
    const text = await reviewAndSign(transferPacket({ coin: 0, hrp: 'tapbc' }));
    expect(text).toContain('mainnet');
    expect(text).toContain('this signer (change)');
  });
});

describe("the signed root's asset is the inputs' asset", () => {
  const other = { ...GENESIS, tag: 'another coin' };
  it('inputs of asset X, root and outputs of genesis Y -> 6a80', async () => expectRefused(transferPacket({ outputGenesis: other }), 'outputs[0].asset.genesis'));
  it('root and outputs in a group the inputs are not in -> 6a80', async () =>
    expectRefused(transferPacket({ outputGroupKey: foreignKey(60) }), 'outputs[0].asset.groupKey'));
  it('inputs in a group, the root in none -> 6a80', async () => expectRefused(transferPacket({ inputGroupKey: foreignKey(60) }), 'outputs[0].asset.groupKey'));
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
    expect(text).toContain('burns 1 units');
  });
  it("the attack: witnesses reordered so tapd's burn key is not the packet's first input's -> 6a80", async () => {
    const opts: TransferOptions = { burn: true, witnessOrder: [1, 0] };
    await expectRefused(transferPacket(opts), 'outputs[0].asset.prevWitnesses[0].prevId');
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
