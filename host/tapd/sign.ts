// Getting tapd's group virtual PSBT signed by a device, with either app, and refusing to return
// anything that does not verify (docs/taproot-assets.md §3, §5):
// * Bitcoin app: the device must hold the raw group key (fingerprint, account xpub, /change/index
//   all checked first); the wallet policy reproducing the group key is registered once (the
//   person approves it; the HMAC is cached by fingerprint and policy id) and SIGN_PSBT signs the
//   key path of the virtual input.
// * Taproot Assets app: SIGN_GROUP_GENESIS (docs/tap-app-protocol.md §5.6) with the genesis asset
//   (and, re-issuing into a V0 group, the group anchor's asset ID); the device shows asset name,
//   amount, asset ID, group anchor and group key, derives the tweaked key and the virtual
//   transaction itself.
// Either way the signature is checked against the PSBT's tweaked group key over the sighash of the
// group virtual transaction (assets/vtx when the asset is known) before it goes into the PSBT.

import { equal, toHex } from '../../apdu/bytes.ts';
import { formatPath } from '../../apdu/path.ts';
import { decodeExtendedPublicKey } from '../../bitcoin/extended-key.ts';
import { derivePublicPath } from '../../bitcoin/bip32-public.ts';
import { walletPolicyId } from '../../bitcoin/wallet-policy.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import type { BitcoinAppClient } from '../bitcoin-app/client.ts';
import type { TapAppClient } from '../tap-app/client.ts';
import { verifyGroupSignature, withGroupSignature, type GroupVirtualPsbt } from './group-psbt.ts';
import { groupKeyPolicy, type PolicySubtree } from './policy.ts';
import type { PolicyHmacStore } from './policy-store.ts';
import { HostError } from '../errors.ts';

export interface GroupSignature {
  app: 'bitcoin' | 'tap';
  /** BIP-340 signature of the group virtual transaction, verified against `groupKey`. */
  signature: Uint8Array;
  /** x-only tweaked group key. */
  groupKey: Uint8Array;
  /** The PSBT with PSBT_IN_TAP_KEY_SIG set: what `tapcli assets mint seal --signed_group_psbt` takes. */
  signedPsbt: Uint8Array;
  /** Bitcoin app only: the policy it signed under and whether it was registered in this call. */
  policy?: { name: string; descriptorTemplate: string; keys: readonly string[]; id: Uint8Array; hmac: Uint8Array | null; registered: boolean };
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const fpNumber = (fp: Uint8Array): number => new DataView(fp.buffer, fp.byteOffset, 4).getUint32(0, false);

function checkFingerprint(g: GroupVirtualPsbt, deviceFp: Uint8Array): void {
  if (fpNumber(deviceFp) !== g.derivation.fingerprint)
    throw new HostError(
      'E_GROUP_KEY_NOT_HELD',
      `the PSBT's raw group key is held by master fingerprint ${hex8(g.derivation.fingerprint)} at ${formatPath(g.derivation.path)}, this device is ${toHex(deviceFp)}`,
    );
}

function checkSigned(g: GroupVirtualPsbt, app: 'bitcoin' | 'tap', signature: Uint8Array): GroupSignature {
  if (!verifyGroupSignature(g, signature))
    throw new HostError(
      'E_GROUP_SIGNATURE',
      `the ${app === 'bitcoin' ? 'Bitcoin' : 'Taproot Assets'} app's signature ${toHex(signature)} does not verify against group key ${toHex(g.groupKey.subarray(1))} over the group virtual transaction: nothing printed`,
    );
  return { app, signature, groupKey: g.groupKey.slice(1), signedPsbt: withGroupSignature(g, signature) };
}

export interface BitcoinAppSignOptions {
  store: PolicyHmacStore;
  /** A custom tapscript subtree of a V1 group key, as a policy fragment. */
  subtree?: PolicySubtree;
  /** Told before the device shows the policy for registration. */
  onRegister?: (policy: { name: string; descriptorTemplate: string; keys: readonly string[] }) => void;
}

export async function signGroupPsbtWithBitcoinApp(client: BitcoinAppClient, g: GroupVirtualPsbt, opts: BitcoinAppSignOptions): Promise<GroupSignature> {
  const app = await client.assertBitcoinApp();
  const appNetwork = app.name === 'Bitcoin' ? 'mainnet' : 'test';
  if (appNetwork !== g.network)
    throw new HostError(
      'E_WRONG_NETWORK',
      `the PSBT's group key uses coin type ${g.coinType}' (${g.network === 'mainnet' ? 'mainnet' : 'testnet/regtest/signet'}), the device runs "${app.name}": open ${g.network === 'mainnet' ? '"Bitcoin"' : '"Bitcoin Test"'}`,
    );
  const fp = await client.getMasterFingerprint();
  checkFingerprint(g, fp);
  const accountPath = g.derivation.path.slice(0, 3);
  const accountXpub = await client.getExtendedPubkey(accountPath);
  const node = decodeExtendedPublicKey(accountXpub).hd;
  if (g.accountXpub && decodeExtendedPublicKey(g.accountXpub.xpub).hd.publicKey!.some((b, i) => b !== node.publicKey![i]))
    throw new HostError('E_GROUP_KEY_NOT_HELD', `the PSBT's account xpub ${g.accountXpub.xpub} is not the device's ${accountXpub} at ${formatPath(accountPath)}`);
  const raw = derivePublicPath({ publicKey: node.publicKey!, chainCode: node.chainCode! }, g.derivation.path.slice(3)).node.publicKey;
  if (!equal(raw.subarray(1), g.internalKey.subarray(1)))
    throw new HostError('E_GROUP_KEY_NOT_HELD', `the device's key at ${formatPath(g.derivation.path)} is ${toHex(raw)}, the PSBT's raw group key is ${toHex(g.internalKey)}`);

  const { policy, needsRegistration } = groupKeyPolicy(g, accountXpub, opts.subtree ? { subtree: opts.subtree } : {});
  const id = walletPolicyId(policy);
  let hmac: Uint8Array | null = null;
  let registered = false;
  if (needsRegistration) {
    hmac = (await opts.store.get(fp, id)) ?? null;
    if (!hmac) {
      opts.onRegister?.(policy);
      hmac = (await client.registerWallet(policy)).hmac;
      await opts.store.set(fp, id, policy, hmac);
      registered = true;
    }
  }
  const results = await client.signPsbt(g.bytes, policy, hmac);
  const sig = results.find((r) => r.type === 'partialSignature' && r.inputIndex === 0 && !r.tapleafHash);
  if (!sig || sig.type !== 'partialSignature') throw new HostError('E_GROUP_SIGNATURE', 'the Bitcoin app returned no key-path signature for the group virtual input');
  return { ...checkSigned(g, 'bitcoin', sig.signature), policy: { ...policy, id, hmac, registered } };
}

export async function signGroupPsbtWithTapApp(client: TapAppClient, g: GroupVirtualPsbt): Promise<GroupSignature> {
  await client.assertTapApp();
  const asset = g.asset;
  if (!asset)
    throw new HostError('E_GROUP_KEY_SHAPE', 'the Taproot Assets app shows and signs the genesis asset: give it (the fund response, or the asset leaf of group_key_request.new_asset)');
  const shape = g.shape;
  // §5.6: a V0 group key is tweaked with the group anchor's asset ID and a V1 key's tapscript root
  // commits to it; the device is told it when it is not the minted asset's own (a re-issuance).
  const anchor = g.anchorAssetId ?? assetId(asset.genesis);
  const anchorAssetId = !equal(anchor, assetId(asset.genesis)) ? anchor : undefined;
  const fp = await client.getMasterFingerprint();
  checkFingerprint(g, fp);
  const key = await client.getKey(g.derivation.path);
  if (!equal(key.pubkey.subarray(1), g.internalKey.subarray(1)))
    throw new HostError('E_GROUP_KEY_NOT_HELD', `the device's key at ${formatPath(g.derivation.path)} is ${toHex(key.pubkey)}, the PSBT's raw group key is ${toHex(g.internalKey)}`);
  const res = await client.signGroupGenesis({
    asset,
    keyVersion: shape.version,
    groupKeyPath: g.derivation.path,
    ...(g.tapscriptRoot ? { tapscriptRoot: g.tapscriptRoot } : {}),
    ...(anchorAssetId ? { anchorAssetId } : {}),
  });
  if (!equal(res.tweakedGroupKey, g.groupKey.subarray(1)))
    throw new HostError('E_GROUP_SIGNATURE', `the device derived group key ${toHex(res.tweakedGroupKey)}, the PSBT's is ${toHex(g.groupKey.subarray(1))}: nothing printed`);
  return checkSigned(g, 'tap', res.signature);
}
