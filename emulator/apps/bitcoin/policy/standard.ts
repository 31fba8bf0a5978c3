// Default ("standard") wallet policies, usable without registration (policy.c
// is_wallet_policy_standard): one key, BIP-44/49/84/86 template, key origin on the matching
// purpose with the app's coin type and an account up to 100, and the key really is the device's.

import { HARDENED } from '../../../../apdu/path.ts';
import type { Descriptor, KeyExpr as DescriptorKey } from '../../../../bitcoin/descriptor/ast.ts';
import type { AppContext } from '../../../app.ts';
import type { HostChannel } from '../../common/host-channel.ts';
import { masterFingerprint, xpubAt, xpubEqual } from '../../common/keys.ts';
import type { BitcoinNetwork } from '../network.ts';
import { keyShape } from './template.ts';
import { fetchKeyInfo, type WalletHeader } from './wallet.ts';

/** get_bip44_purpose: the purpose a single-key template stands for, if its key is @0/**. */
function bip44Purpose(root: Descriptor, version: number): number | undefined {
  let purpose: number;
  let node: DescriptorKey;
  if (root.kind === 'ms' && root.fragment.name === 'pkh') [purpose, node] = [44, root.fragment.key];
  else if (root.kind === 'wpkh') [purpose, node] = [84, root.key];
  else if (root.kind === 'sh' && root.inner.kind === 'wpkh') [purpose, node] = [49, root.inner.key];
  else if (root.kind === 'tr' && !root.tree) [purpose, node] = [86, root.internal];
  else return undefined;
  const key = keyShape(node, version);
  if (key.kind !== 'key' || key.key !== 0 || key.numFirst !== 0 || key.numSecond !== 1) return undefined;
  return purpose;
}

export async function isStandardPolicy(
  ctx: AppContext,
  host: HostChannel,
  net: BitcoinNetwork,
  header: WalletHeader,
  root: Descriptor,
): Promise<boolean> {
  const purpose = bip44Purpose(root, header.version);
  if (purpose === undefined || header.nKeys !== 1) return false;
  // the master fingerprint is computed before the key is fetched, as in is_wallet_policy_standard
  const fingerprint = masterFingerprint(ctx);
  const got = await fetchKeyInfo(host, header, 0);
  if (!got?.info.origin || got.info.origin.fingerprint !== fingerprint) return false;
  const path = got.info.origin.path;
  try {
    if (!xpubEqual(got.info.xpub, xpubAt(ctx, path, net))) return false;
  } catch {
    return false;
  }
  return (
    path.length === 3 &&
    path[0] === HARDENED + purpose &&
    path[1] === HARDENED + net.coinType &&
    path[2]! >= HARDENED &&
    path[2]! <= HARDENED + 100
  );
}
