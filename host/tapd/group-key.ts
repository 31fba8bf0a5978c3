// The group key a person gives tapd when minting with an external key (`tapcli assets mint
// --group_key_xpub --group_key_derivation_path --group_key_fingerprint`): the depth-3 xpub at
// m/86'/coin'/account' and the master fingerprint, read from the device. tapd accepts only that
// shape (asset.ExternalKey.Validate: depth-3 xpub, 5-element path, purpose 86'; docs/taproot-assets.md §3)
// and derives the raw group key at /0/index itself, so the key the device holds there is checked
// against the xpub's derivation before the flags are printed.

import { equal, toHex } from '../../apdu/bytes.ts';
import { formatPath, HARDENED } from '../../apdu/path.ts';
import { derivePublicPath } from '../../bitcoin/bip32-public.ts';
import { decodeExtendedPublicKey } from '../../bitcoin/extended-key.ts';
import { getNetwork, type NetworkName } from '../../bitcoin/networks.ts';
import type { BitcoinAppClient } from '../bitcoin-app/client.ts';
import type { TapAppClient } from '../tap-app/client.ts';
import { HostError } from '../errors.ts';

export interface GroupKeyRequest {
  network: NetworkName;
  account?: number;
  index?: number;
}

export interface TapdGroupKey {
  network: NetworkName;
  /** Master fingerprint, 8 hex digits (--group_key_fingerprint). */
  fingerprint: string;
  /** m/86'/coin'/account' */
  accountPath: string;
  /** Depth-3 xpub at accountPath (--group_key_xpub): xpub on mainnet, tpub otherwise. */
  xpub: string;
  /** m/86'/coin'/account'/0/index (--group_key_derivation_path). */
  derivationPath: string;
  /** The raw group key tapd will derive (its `group_internal_key.raw_key_bytes`), 33 bytes hex. */
  internalKey: string;
}

const MAX_UNHARDENED = HARDENED - 1;

function paths(req: GroupKeyRequest): { account: number[]; full: number[] } {
  const coin = getNetwork(req.network).coinType;
  const account = req.account ?? 0;
  const index = req.index ?? 0;
  if (!Number.isInteger(account) || account < 0 || account > MAX_UNHARDENED) throw new RangeError(`account: expected 0..${MAX_UNHARDENED}, got ${account}`);
  if (!Number.isInteger(index) || index < 0 || index > MAX_UNHARDENED) throw new RangeError(`index: expected 0..${MAX_UNHARDENED}, got ${index}`);
  const acc = [HARDENED + 86, HARDENED + coin, HARDENED + account];
  return { account: acc, full: [...acc, 0, index] };
}

function build(req: GroupKeyRequest, fingerprint: Uint8Array, xpub: string, deviceKey: Uint8Array, p: { account: number[]; full: number[] }): TapdGroupKey {
  const hd = decodeExtendedPublicKey(xpub);
  const wantFamily = req.network === 'mainnet' ? 'mainnet' : 'test';
  if (hd.family !== wantFamily) throw new HostError('E_WRONG_NETWORK', `--network ${req.network}: expected a ${wantFamily === 'mainnet' ? 'xpub' : 'tpub'}, the device returned ${xpub.slice(0, 4)}`);
  if (hd.hd.depth !== 3) throw new HostError('E_GROUP_KEY_NOT_HELD', `expected a depth-3 xpub at ${formatPath(p.account)}, the device returned depth ${hd.hd.depth}`);
  const derived = derivePublicPath({ publicKey: hd.hd.publicKey!, chainCode: hd.hd.chainCode! }, p.full.slice(3)).node.publicKey;
  if (!equal(derived, deviceKey))
    throw new HostError('E_GROUP_KEY_NOT_HELD', `the xpub derives ${toHex(derived)} at ${formatPath(p.full)}, the device's key there is ${toHex(deviceKey)}`);
  return {
    network: req.network,
    fingerprint: toHex(fingerprint),
    accountPath: formatPath(p.account),
    xpub,
    derivationPath: formatPath(p.full),
    internalKey: toHex(derived),
  };
}

export async function readGroupKeyWithBitcoinApp(client: BitcoinAppClient, req: GroupKeyRequest): Promise<TapdGroupKey> {
  const app = await client.assertBitcoinApp();
  if ((app.name === 'Bitcoin') !== (req.network === 'mainnet'))
    throw new HostError('E_WRONG_NETWORK', `--network ${req.network} needs the ${req.network === 'mainnet' ? '"Bitcoin"' : '"Bitcoin Test"'} app, the device runs "${app.name}"`);
  const p = paths(req);
  const fingerprint = await client.getMasterFingerprint();
  const xpub = await client.getExtendedPubkey(p.account);
  const leaf = decodeExtendedPublicKey(await client.getExtendedPubkey(p.full)).hd.publicKey!;
  return build(req, fingerprint, xpub, leaf, p);
}

export async function readGroupKeyWithTapApp(client: TapAppClient, req: GroupKeyRequest): Promise<TapdGroupKey> {
  await client.assertTapApp();
  const p = paths(req);
  const fingerprint = await client.getMasterFingerprint();
  const account = await client.getKey(p.account);
  const leaf = await client.getKey(p.full);
  if (!equal(account.fingerprint, fingerprint) || !equal(leaf.fingerprint, fingerprint))
    throw new HostError('E_GROUP_KEY_NOT_HELD', `the device answered fingerprints ${toHex(fingerprint)}, ${toHex(account.fingerprint)} and ${toHex(leaf.fingerprint)}`);
  return build(req, fingerprint, account.xpub, leaf.pubkey, p);
}

/** The `tapcli assets mint` flags for this group key (add --new_grouped_asset, or --grouped_asset --group_key for re-issuance). */
export function tapcliGroupKeyFlags(k: TapdGroupKey): string[] {
  return [`--group_key_xpub ${k.xpub}`, `--group_key_derivation_path "${k.derivationPath}"`, `--group_key_fingerprint ${k.fingerprint}`];
}
