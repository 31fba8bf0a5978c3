import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { describe, expect, it } from 'vitest';
import { concat, toHex } from '../../../apdu/bytes.ts';
import { parsePath } from '../../../apdu/path.ts';
import { signGroupGenesis, tapCommand, type SignGroupGenesisRequest } from '../../../apdu/tap-app/index.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { encodeAsset, type Asset } from '../../../assets/asset/leaf.ts';
import { NonSpendLeafVersion, groupKeyTapscriptRoot, groupPubKeyV0, groupPubKeyV1 } from '../../../assets/group/group-key.ts';
import { Point, tapLeafHash, taprootTweak } from '../../../assets/crypto.ts';
import { verifyStateTransition } from '../../../assets/vtx/verify.ts';
import { Responder } from './responder.ts';
import { SPECULOS_MNEMONIC, chooseOnNano, screenText, tapDevice, untilScreen } from './device.ts';
import { GENESIS, foreignKey, genesisAsset } from './vpsbt-fixture.ts';

const PATH = "m/86'/1'/0'/0/0";
const raw = HDKey.fromMasterSeed(mnemonicToSeedSync(SPECULOS_MNEMONIC)).derive(PATH).publicKey!;
const id = assetId(GENESIS);

async function run(asset: Asset, req: Omit<SignGroupGenesisRequest, 'assetLength' | 'assetHash'>, autoApprove = true) {
  const t = tapDevice({ autoApprove });
  const r = new Responder();
  const bytes = encodeAsset(asset);
  const assetHash = r.addPreimage(bytes);
  return { t, pending: r.run(t.device, tapCommand(signGroupGenesis, { assetLength: bytes.length, assetHash, ...req })) };
}

/** Puts the group witness in and lets assets/ check it against the group key. */
function verifyGroupWitness(asset: Asset, signature: Uint8Array): void {
  verifyStateTransition({ ...asset, prevWitnesses: [{ ...asset.prevWitnesses[0]!, txWitness: [signature] }] }, [], []);
}

describe('Taproot Assets app: SIGN_GROUP_GENESIS', () => {
  const cases: [string, Uint8Array, Omit<SignGroupGenesisRequest, 'assetLength' | 'assetHash'>][] = [
    ['V1 OP_RETURN leaf', groupPubKeyV1(raw, NonSpendLeafVersion.opReturn, id), { keyVersion: 1, groupKeyPath: parsePath(PATH), tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, id) }],
    ['V1 Pedersen leaf', groupPubKeyV1(raw, NonSpendLeafVersion.pedersen, id), { keyVersion: 1, groupKeyPath: parsePath(PATH), tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.pedersen, id) }],
    ['V0 without tapscript root', groupPubKeyV0(raw, id), { keyVersion: 0, groupKeyPath: parsePath(PATH) }],
  ];
  for (const [name, groupKey, req] of cases)
    it(`${name}: the signature verifies with assets/'s group-witness check`, async () => {
      const asset = genesisAsset(groupKey);
      const res = await (await run(asset, req)).pending;
      expect(res.statusWord).toBe(0x9000);
      const { signature, tweakedGroupKey } = signGroupGenesis.decodeResponse(res.data);
      expect(toHex(tweakedGroupKey)).toBe(toHex(groupKey.subarray(1)));
      expect(() => verifyGroupWitness(asset, signature)).not.toThrow();
      const bad = signature.slice();
      bad[5]! ^= 1;
      expect(() => verifyGroupWitness(asset, bad)).toThrow();
    });

  it('shows asset name, amount, asset ID, owner (the minted units\' script key) and group key; rejection -> 6985', async () => {
    const [, groupKey, req] = cases[0]!;
    const { t, pending } = await run(genesisAsset(groupKey), req, false);
    await untilScreen(t.device, (s) => s.includes('Review asset group'));
    const pages = (await chooseOnNano(t.device, 'Reject')).join(' ');
    const owner = toHex(foreignKey(1).subarray(1));
    for (const text of ['Asset name', 'taproot-hw test coin', 'Amount', '21,000,000 units', 'Asset ID', toHex(id).slice(0, 16), 'Owner', owner.slice(0, 16), owner.slice(-8), 'Group key', toHex(groupKey.subarray(1)).slice(0, 16)])
      expect(pages).toContain(text);
    expect((await pending).statusWord).toBe(0x6985);
  });

  describe('a group key with a script path the review does not show -> 6a80, nothing shown, nothing signed (§5.6)', () => {
    // The attack: a host hides `<its key> OP_CHECKSIG` in the group key's tree and later issues into
    // the person's group alone, by script path.
    const hostLeaf = tapLeafHash(concat(Uint8Array.of(0x20), foreignKey(9).subarray(1), Uint8Array.of(0xac)));
    const refused: [string, Uint8Array, Omit<SignGroupGenesisRequest, 'assetLength' | 'assetHash'>][] = [
      [
        'V1 with a custom subtree holding the host\'s key',
        groupPubKeyV1(raw, NonSpendLeafVersion.pedersen, id, hostLeaf),
        { keyVersion: 1, groupKeyPath: parsePath(PATH), tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.pedersen, id, hostLeaf) },
      ],
      ['V1 whose root is the host\'s leaf alone', taprootTweak(Point.fromBytes(raw), hostLeaf).toBytes(true), { keyVersion: 1, groupKeyPath: parsePath(PATH), tapscriptRoot: hostLeaf }],
      ['V1 without a tapscript root', taprootTweak(Point.fromBytes(raw), new Uint8Array()).toBytes(true), { keyVersion: 1, groupKeyPath: parsePath(PATH) }],
      [
        'V1 with the non-spendable leaf over another asset ID than the anchor',
        groupPubKeyV1(raw, NonSpendLeafVersion.opReturn, assetId({ ...GENESIS, tag: 'x' })),
        { keyVersion: 1, groupKeyPath: parsePath(PATH), tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, assetId({ ...GENESIS, tag: 'x' })) },
      ],
      ['V0 with a script root', groupPubKeyV0(raw, id, hostLeaf), { keyVersion: 0, groupKeyPath: parsePath(PATH), tapscriptRoot: hostLeaf }],
    ];
    for (const [name, groupKey, req] of refused)
      it(name, async () => {
        const { t, pending } = await run(genesisAsset(groupKey), req);
        const shown: string[] = [];
        t.device.on('screen', () => shown.push(screenText(t.device)));
        const res = await pending;
        expect(res).toEqual({ data: new Uint8Array(), statusWord: 0x6a80 });
        expect(shown.join(' ')).not.toContain('Review asset group');
      });
  });

  it("V1 re-issuance: the root is the non-spendable leaf over the anchor's asset ID, shown as \"Group anchor\"; the witness verifies", async () => {
    const anchor = assetId({ ...GENESIS, tag: 'the group anchor' });
    const groupKey = groupPubKeyV1(raw, NonSpendLeafVersion.pedersen, anchor);
    const asset = genesisAsset(groupKey);
    const req = { keyVersion: 1 as const, groupKeyPath: parsePath(PATH), tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.pedersen, anchor) };
    const { t, pending } = await run(asset, { ...req, anchorAssetId: anchor }, false);
    await untilScreen(t.device, (s) => s.includes('Review asset group'));
    const pages = (await chooseOnNano(t.device, 'Sign asset group')).join(' ');
    expect(pages).toContain(toHex(anchor).slice(0, 16));
    const res = await pending;
    expect(res.statusWord).toBe(0x9000);
    expect(() => verifyGroupWitness(asset, signGroupGenesis.decodeResponse(res.data).signature)).not.toThrow();
    // without the anchor the device expects the leaf over the minted asset's own ID
    expect((await (await run(asset, req)).pending).statusWord).toBe(0x6a80);
  });

  it('an asset name with zero-width, homoglyph or control characters is shown escaped', async () => {
    const tag = 'T\u0430p\u200bcoin\nAmount';
    const genesis = { ...GENESIS, tag };
    const gid = assetId(genesis);
    const asset = { ...genesisAsset(groupPubKeyV0(raw, gid)), genesis };
    const { t, pending } = await run(asset, { keyVersion: 0, groupKeyPath: parsePath(PATH) }, false);
    await untilScreen(t.device, (s) => s.includes('Review asset group'));
    const pages = (await chooseOnNano(t.device, 'Reject')).join(' ');
    // (wrapped lines are joined with a space)
    expect(pages.replace(/ /g, '')).toContain('T\\xd0\\xb0p\\xe2\\x80\\x8bcoin\\x0aAmount');
    expect(pages).not.toContain('\u200b');
    expect((await pending).statusWord).toBe(0x6985);
  });

  it('V0 re-issuance: the key tweaked with the group anchor\'s asset ID, shown as "Group anchor"; the witness verifies', async () => {
    const anchor = assetId({ ...GENESIS, tag: 'the group anchor' });
    const groupKey = groupPubKeyV0(raw, anchor);
    const asset = genesisAsset(groupKey);
    const { t, pending } = await run(asset, { keyVersion: 0, groupKeyPath: parsePath(PATH), anchorAssetId: anchor }, false);
    await untilScreen(t.device, (s) => s.includes('Review asset group'));
    const pages = (await chooseOnNano(t.device, 'Sign asset group')).join(' ');
    expect(pages.indexOf('Group anchor')).toBeGreaterThan(pages.indexOf('Asset ID'));
    expect(pages).toContain(toHex(anchor).slice(0, 16));
    const res = await pending;
    expect(res.statusWord).toBe(0x9000);
    const { signature, tweakedGroupKey } = signGroupGenesis.decodeResponse(res.data);
    expect(toHex(tweakedGroupKey)).toBe(toHex(groupKey.subarray(1)));
    expect(() => verifyGroupWitness(asset, signature)).not.toThrow();
    // without the anchor the device tweaks with the asset's own ID: not the asset's group key
    expect((await (await run(asset, { keyVersion: 0, groupKeyPath: parsePath(PATH) })).pending).statusWord).toBe(0xb013);
  });

  it('a new group shows no "Group anchor"', async () => {
    const [, groupKey, req] = cases[2]!;
    const { t, pending } = await run(genesisAsset(groupKey), { ...req, anchorAssetId: id }, false);
    await untilScreen(t.device, (s) => s.includes('Review asset group'));
    expect((await chooseOnNano(t.device, 'Sign asset group')).join(' ')).not.toContain('Group anchor');
    expect((await pending).statusWord).toBe(0x9000);
  });

  it('name, amount, asset ID and owner come from the leaf the request hashes: another leaf for that hash -> 6a80, nothing shown', async () => {
    const [, groupKey, req] = cases[0]!;
    const asset = genesisAsset(groupKey);
    const t = tapDevice();
    const r = new Responder();
    const bytes = encodeAsset(asset);
    const assetHash = r.addPreimage(bytes);
    // Same length, another owner: the host answers the request's hash with it.
    r.preimages.set(toHex(assetHash), encodeAsset({ ...asset, scriptKey: foreignKey(3) }));
    const shown: string[] = [];
    t.device.on('screen', () => shown.push(screenText(t.device)));
    const res = await r.run(t.device, tapCommand(signGroupGenesis, { assetLength: bytes.length, assetHash, ...req }));
    expect(res.statusWord).toBe(0x6a80);
    expect(shown.join(' ')).not.toContain('Review asset group');
  });

  it("a group key that is not the device's -> B013; a non-standard path -> 6a82", async () => {
    const asset = genesisAsset(groupPubKeyV0(foreignKey(2), id));
    expect((await (await run(asset, { keyVersion: 0, groupKeyPath: parsePath(PATH) })).pending).statusWord).toBe(0xb013);
    expect((await (await run(asset, { keyVersion: 0, groupKeyPath: parsePath("m/44'/1'/0'/0/0") })).pending).statusWord).toBe(0x6a82);
  });
});
