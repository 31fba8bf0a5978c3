import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../apdu/bytes.ts';
import { parsePath } from '../../../apdu/path.ts';
import { signGroupGenesis, tapCommand, type SignGroupGenesisRequest } from '../../../apdu/tap-app/index.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { encodeAsset, type Asset } from '../../../assets/asset/leaf.ts';
import { NonSpendLeafVersion, groupKeyTapscriptRoot, groupPubKeyV0, groupPubKeyV1 } from '../../../assets/group/group-key.ts';
import { verifyStateTransition } from '../../../assets/vtx/verify.ts';
import { Responder } from './responder.ts';
import { SPECULOS_MNEMONIC, chooseOnNano, tapDevice, untilScreen } from './device.ts';
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

  it('shows asset name, amount, asset ID and group key; rejection -> 6985', async () => {
    const [, groupKey, req] = cases[0]!;
    const { t, pending } = await run(genesisAsset(groupKey), req, false);
    await untilScreen(t.device, (s) => s.includes('Review asset group'));
    const pages = (await chooseOnNano(t.device, 'Reject')).join(' ');
    for (const text of ['Asset name', 'taproot-hw test coin', 'Amount', '21,000,000 units', 'Asset ID', toHex(id).slice(0, 16), 'Group key', toHex(groupKey.subarray(1)).slice(0, 16)])
      expect(pages).toContain(text);
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

  it("a group key that is not the device's -> B013; a non-standard path -> 6a82", async () => {
    const asset = genesisAsset(groupPubKeyV0(foreignKey(2), id));
    expect((await (await run(asset, { keyVersion: 0, groupKeyPath: parsePath(PATH) })).pending).statusWord).toBe(0xb013);
    expect((await (await run(asset, { keyVersion: 0, groupKeyPath: parsePath("m/44'/1'/0'/0/0") })).pending).statusWord).toBe(0x6a82);
  });
});
