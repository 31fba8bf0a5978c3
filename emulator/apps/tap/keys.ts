// Keys of the Taproot Assets app (§5.3): the standard path families tapd uses, the 78-byte xpub
// (version by coin type) and private keys, all derived from the device seed.

import { HARDENED } from '../../../apdu/path.ts';
import { XPUB_VERSION_MAINNET, XPUB_VERSION_TESTNET } from '../../../apdu/tap-app/get-key.ts';
import type { AppContext } from '../../app.ts';
import { fingerprintOf, type ExtendedPubkey } from '../common/keys.ts';

const BIP86 = 86 + HARDENED;
const LND_PURPOSE = 1017 + HARDENED;
const TAPROOT_ASSETS_FAMILY = 212 + HARDENED;
const MAX_ACCOUNT = 100;

const isCoin = (n: number | undefined): boolean => n === HARDENED || n === 1 + HARDENED;
const unhardened = (n: number | undefined): boolean => n !== undefined && n < HARDENED;

/**
 * The standard families of §5.3, returned without review: the group-key account m/86'/c'/a'
 * (a <= 100'), group internal keys m/86'/c'/a'/{0,1}/i, and script / anchor keys m/1017'/c'/212'/0/i.
 */
export function isStandardTapPath(path: readonly number[]): boolean {
  const [purpose, coin, third, fourth, fifth] = path;
  if (!isCoin(coin)) return false;
  if (purpose === BIP86) {
    if (third === undefined || third < HARDENED || third - HARDENED > MAX_ACCOUNT) return false;
    if (path.length === 3) return true;
    return path.length === 5 && (fourth === 0 || fourth === 1) && unhardened(fifth);
  }
  if (purpose === LND_PURPOSE) return path.length === 5 && third === TAPROOT_ASSETS_FAMILY && fourth === 0 && unhardened(fifth);
  return false;
}

function node(ctx: AppContext, path: readonly number[]) {
  let parent = ctx.master;
  let n = ctx.master;
  for (const i of path) {
    parent = n;
    n = n.deriveChild(i);
  }
  return { parent, node: n };
}

export function xpubAt(ctx: AppContext, path: readonly number[]): ExtendedPubkey {
  const { parent, node: n } = node(ctx, path);
  return {
    version: path[1] === HARDENED ? XPUB_VERSION_MAINNET : XPUB_VERSION_TESTNET,
    depth: path.length,
    parentFingerprint: path.length === 0 ? 0 : fingerprintOf(parent.publicKey!),
    childNumber: path.length === 0 ? 0 : path[path.length - 1]!,
    chainCode: n.chainCode!,
    pubkey: n.publicKey!,
  };
}

export function publicKeyAt(ctx: AppContext, path: readonly number[]): Uint8Array {
  return node(ctx, path).node.publicKey!;
}

/** A copy of the private key at `path`; callers wipe it (fill(0)) when done. */
export function privateKeyAt(ctx: AppContext, path: readonly number[]): Uint8Array {
  return node(ctx, path).node.privateKey!.slice();
}

export function masterFingerprintBytes(ctx: AppContext): Uint8Array {
  const fp = fingerprintOf(ctx.master.publicKey!);
  return Uint8Array.of(fp >>> 24, (fp >>> 16) & 0xff, (fp >>> 8) & 0xff, fp & 0xff);
}

/** "m/86'/1'/0'" as the review shows it. */
export function displayPath(path: readonly number[]): string {
  return ['m', ...path.map((n) => (n >= HARDENED ? `${n - HARDENED}'` : String(n)))].join('/');
}
