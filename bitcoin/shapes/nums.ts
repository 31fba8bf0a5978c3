// Provably unspendable taproot internal keys.
//
// BIP-341 ("Constructing and spending Taproot outputs") gives the point H whose x coordinate is
// SHA256 of the uncompressed encoding of G: nobody knows its discrete logarithm. Used bare, H
// marks every such output as "script path only"; BIP-341 suggests H + r·G with a random r instead,
// which hides that, and stays provably unspendable for anyone shown r.
//
// The Ledger Bitcoin app takes internal keys as placeholders `@i/**`; it recognizes an xpub whose
// public key is exactly H and labels it "unspendable" on screen (register_wallet.c). So for wallet
// policies the NUMS key is an xpub with key H and a chain code chosen by the wallet (random and
// published, like r). Each derived child is H + I_L·G, with I_L computable from the public xpub, so
// it is provably unspendable in the same way.

import { HDKey } from '@scure/bip32';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { concat, fromHex } from '../../apdu/bytes.ts';
import { NETWORKS } from '../networks.ts';
import type { KeyFamily } from '../extended-key.ts';
import { BitcoinError } from '../errors.ts';

/** x-only H of BIP-341. */
export const NUMS_H = fromHex('50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0');

/** H (r absent) or H + r·G, x-only. Publish r so others can check the key is unspendable. */
export function numsInternalKey(r?: Uint8Array): Uint8Array {
  if (!r) return NUMS_H.slice();
  if (r.length !== 32) throw new BitcoinError('E_SHAPE', `NUMS: expected a 32-byte r, got ${r.length} bytes`);
  const n = bytesToNumberBE(r);
  if (n === 0n || n >= secp256k1.Point.Fn.ORDER) throw new BitcoinError('E_SHAPE', 'NUMS: r must be a scalar in [1, n-1]');
  const H = secp256k1.Point.fromBytes(concat(Uint8Array.of(2), NUMS_H));
  return H.add(secp256k1.Point.BASE.multiply(n)).toBytes(true).slice(1);
}

/** The xpub with public key H (even Y) and the given chain code, for a policy's unspendable `@i`. */
export function numsXpub(chainCode: Uint8Array, family: KeyFamily = 'mainnet'): string {
  if (chainCode.length !== 32) throw new BitcoinError('E_SHAPE', `NUMS xpub: expected a 32-byte chain code, got ${chainCode.length} bytes`);
  const versions = family === 'mainnet' ? NETWORKS.mainnet.bip32 : NETWORKS.testnet.bip32;
  return new HDKey({ versions, depth: 0, index: 0, parentFingerprint: 0, chainCode, publicKey: concat(Uint8Array.of(2), NUMS_H) })
    .publicExtendedKey;
}
