// The BIP-388 wallet policy under which the Ledger Bitcoin app signs a tapd group key. The app only
// signs for a taproot output whose whole tree it can rebuild from a policy, so the policy must
// reproduce the group key's taptree exactly (docs/taproot-assets.md §3, §5):
//   no tree                 tr(@0/**)                                  (a default wallet)
//   V1 Pedersen leaf        tr(@0/**,pk(@1/**))                        (what lightninglabs' HWI fork builds)
//   V1 Pedersen + subtree   tr(@0/**,{pk(@1/**),{pk(@2/**),SUBTREE}})  (SUBTREE given by the person)
// @0 is the device's account xpub, @1 the Pedersen xpub from the PSBT (fake fingerprint 7a9a55e7),
// @2 the xpub of the empty Pedersen leaf (its key is the bare NUMS point). The policy derives every
// key at the same /change/index, and tapd derives the Pedersen key at 0/0, so a Pedersen group key
// is expressible only at .../0/0. V0 keys (raw + assetID·G) and OP_RETURN leaves are not
// expressible at all. Whatever the shape, the policy's output key is recomputed here and compared
// with the PSBT's before the device is asked anything.

import { HDKey } from '@scure/bip32';
import { toHex } from '../../apdu/bytes.ts';
import { formatPath, HARDENED } from '../../apdu/path.ts';
import { policyOutput } from '../../bitcoin/descriptor/scripts.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { encodeExtendedPublicKey } from '../../bitcoin/extended-key.ts';
import { walletPolicy, type WalletPolicy } from '../../bitcoin/wallet-policy.ts';
import { TAPROOT_NUMS_KEY } from '../../assets/group/group-key.ts';
import { PEDERSEN_XPUB_FINGERPRINT, type GroupVirtualPsbt } from './group-psbt.ts';
import { HostError } from '../errors.ts';

/** A custom tapscript subtree as a policy fragment, its placeholders numbered from @0 within it. */
export interface PolicySubtree {
  template: string;
  keys: readonly string[];
}

export interface GroupKeyPolicy {
  policy: WalletPolicy;
  /** Default wallets (tr(@0/**) on a standard path) need no registration. */
  needsRegistration: boolean;
  change: boolean;
  index: number;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const origin = (fingerprint: number, path: readonly number[]): string => `[${hex8(fingerprint)}/${formatPath(path, { prefix: false })}]`;

/** The xpub tapd's NumsXPub builds for the empty Pedersen leaf: the NUMS point, its x as chain code. */
function emptyPedersenXpub(family: 'mainnet' | 'test'): string {
  const hd = new HDKey({ publicKey: TAPROOT_NUMS_KEY, chainCode: TAPROOT_NUMS_KEY.subarray(1), depth: 3, index: 0, parentFingerprint: 0 });
  return encodeExtendedPublicKey(hd, family);
}

/** Renumbers a fragment's placeholders @i to @(i + offset). */
function shiftPlaceholders(template: string, offset: number): string {
  return template.replace(/@(\d+)/g, (_, i: string) => `@${Number(i) + offset}`);
}

/**
 * The policy reproducing `g`'s group key with the device's account xpub `accountXpub` (at
 * m/86'/coin'/account'), checked: its output at the PSBT's /change/index is the PSBT's group key.
 */
export function groupKeyPolicy(g: GroupVirtualPsbt, accountXpub: string, { subtree }: { subtree?: PolicySubtree } = {}): GroupKeyPolicy {
  const p = g.derivation.path;
  if (p.length !== 5 || p[0] !== HARDENED + 86 || p[3]! > 1 || p[4]! >= HARDENED)
    throw new HostError(
      'E_GROUP_KEY_SHAPE',
      `the Bitcoin app derives policy keys at m/86'/coin'/account'/<0;1>/*; the group key is at ${formatPath(p)}: use the Taproot Assets app (--app tap)`,
    );
  const change = p[3] === 1;
  const index = p[4]!;
  const family = g.network === 'mainnet' ? 'mainnet' : 'test';
  const own = `${origin(g.derivation.fingerprint, p.slice(0, 3))}${accountXpub}`;
  const short = toHex(g.groupKey.subarray(1, 9));
  let template: string;
  let keys: string[];
  let name: string;
  const shape = g.shape;
  if (shape.version === 0)
    throw new HostError('E_GROUP_KEY_SHAPE', 'a V0 group key (raw key + asset ID·G) is not a taproot tree the Bitcoin app can sign for: use the Taproot Assets app (--app tap)');
  switch (shape.leaf) {
    case 'none':
      template = 'tr(@0/**)';
      keys = [own];
      name = '';
      break;
    case 'pedersen': {
      if (change || index !== 0)
        throw new HostError(
          'E_GROUP_KEY_SHAPE',
          `a policy derives the Pedersen leaf key at the group key's /${change ? 1 : 0}/${index}, tapd at /0/0: the Bitcoin app can sign a Pedersen group key only at m/86'/coin'/account'/0/0; use the Taproot Assets app (--app tap)`,
        );
      const ped = `${origin(shape.pedersen.fingerprint, shape.pedersen.originPath)}${shape.pedersen.xpub}`;
      name = `tapd group ${short}`;
      if (!shape.customSubtreeRoot) {
        template = 'tr(@0/**,pk(@1/**))';
        keys = [own, ped];
      } else {
        if (!subtree)
          throw new HostError(
            'E_GROUP_KEY_SHAPE',
            `the group key has a custom tapscript subtree (root ${toHex(shape.customSubtreeRoot)}): give it as a policy fragment (--subtree, --subtree-key) or use the Taproot Assets app (--app tap)`,
          );
        template = `tr(@0/**,{pk(@1/**),{pk(@2/**),${shiftPlaceholders(subtree.template, 3)}}})`;
        keys = [own, ped, `${origin(PEDERSEN_XPUB_FINGERPRINT, shape.pedersen.originPath)}${emptyPedersenXpub(family)}`, ...subtree.keys];
      }
      break;
    }
    case 'op-return':
      throw new HostError('E_GROUP_KEY_SHAPE', 'an OP_RETURN non-spendable leaf has no wallet-policy form: use the Taproot Assets app (--app tap)');
    case 'unknown':
      throw new HostError(
        'E_GROUP_KEY_SHAPE',
        `the PSBT does not reveal the leaves of the group key's tapscript root ${toHex(g.tapscriptRoot!)} (no Pedersen xpub matches it), so no policy can reproduce it: use the Taproot Assets app (--app tap)`,
      );
  }
  const policy = walletPolicy(name, template, keys);
  let derived: Uint8Array;
  try {
    derived = policyOutput(parsePolicy(policy.descriptorTemplate, policy.keys), change, index).scriptPubKey;
  } catch (err) {
    throw new HostError('E_GROUP_KEY_SHAPE', `policy ${template}: ${(err as Error).message}`);
  }
  if (toHex(derived) !== toHex(g.prevOut.script))
    throw new HostError(
      'E_GROUP_KEY_SHAPE',
      `policy ${template} derives ${toHex(derived.subarray(2))} at /${change ? 1 : 0}/${index}, the PSBT's group key is ${toHex(g.prevOut.script.subarray(2))}: not signing`,
    );
  return { policy, needsRegistration: name !== '', change, index };
}
