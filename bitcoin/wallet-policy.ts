// BIP-388 wallet policies as the Ledger Bitcoin app identifies and registers them (docs/bitcoin-app-protocol.md §5,
// doc/wallet.md): the version-2 serialization and the wallet id (its SHA-256), the Merkle tree of
// the key-information strings, the default-wallet rules (src/handler/lib/policy.c
// is_wallet_policy_standard), and the registration HMAC keyed by the seed's SLIP-21 key, so the
// emulated device computes the same wallet ids and HMACs as a real one with the same seed.

import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { abytes, concat, equalConstantTime, utf8 } from '../apdu/bytes.ts';
import { MerkleTree } from '../apdu/merkle.ts';
import { HARDENED } from '../apdu/path.ts';
import { WALLET_POLICY_V2, encodeWalletPolicyHeader, MAX_WALLET_NAME_LENGTH } from '../apdu/bitcoin-app/wallet-header.ts';
import { parseKeyInfo } from './key-info.ts';
import { BitcoinError } from './errors.ts';

/** Policies of at most this many keys can be registered (MAX_N_KEYS_IN_WALLET_POLICY). */
export const MAX_KEYS_IN_WALLET_POLICY = 15;

export interface WalletPolicy {
  /** Empty for default wallets; 1..64 printable ASCII characters for registered ones. */
  readonly name: string;
  /** BIP-388 template, e.g. `tr(musig(@0,@1)/**)`. */
  readonly descriptorTemplate: string;
  /** Key-information strings `[fingerprint/path]xpub`, without `/**` (policy version 2). */
  readonly keys: readonly string[];
}

export function walletPolicy(name: string, descriptorTemplate: string, keys: readonly string[]): WalletPolicy {
  if (typeof name !== 'string') throw new BitcoinError('E_WALLET_POLICY', `wallet policy name: expected a string, got ${typeof name}`);
  if (typeof descriptorTemplate !== 'string' || descriptorTemplate.length === 0)
    throw new BitcoinError('E_WALLET_POLICY', 'wallet policy: expected a non-empty descriptor template');
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))
    throw new BitcoinError('E_WALLET_POLICY', 'wallet policy keys: expected an array of key-information strings');
  return { name, descriptorTemplate, keys: [...keys] };
}

/** The Merkle tree whose leaves are the UTF-8 key-information strings (the device asks for them by index). */
export function keysTree(policy: WalletPolicy): MerkleTree {
  return MerkleTree.fromElements(policy.keys.map((k) => utf8.encode(k)));
}

/** The bytes REGISTER_WALLET carries and GET_PREIMAGE(wallet id) returns (version 2). */
export function serializeWalletPolicy(policy: WalletPolicy): Uint8Array {
  const name = utf8.encode(policy.name);
  if (name.length > MAX_WALLET_NAME_LENGTH)
    throw new BitcoinError('E_WALLET_POLICY', `wallet policy name: expected at most ${MAX_WALLET_NAME_LENGTH} bytes, got ${name.length}`);
  const template = utf8.encode(policy.descriptorTemplate);
  return encodeWalletPolicyHeader({
    version: WALLET_POLICY_V2,
    name,
    templateLength: template.length,
    templateHash: sha256(template),
    keyCount: policy.keys.length,
    keysRoot: keysTree(policy).root,
  });
}

export function walletPolicyId(policy: WalletPolicy): Uint8Array {
  return sha256(serializeWalletPolicy(policy));
}

/**
 * The registration name rules of the app (register_wallet.c is_policy_name_acceptable): 1..64
 * printable ASCII characters, no leading or trailing space. Returns the reason it is refused.
 */
export function policyNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > MAX_WALLET_NAME_LENGTH) return `expected 1..${MAX_WALLET_NAME_LENGTH} characters, got ${name.length}`;
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    if (ch.length !== 1 || c < 0x20 || c > 0x7e) return `expected printable ASCII, got ${JSON.stringify(ch)}`;
  }
  if (name.startsWith(' ') || name.endsWith(' ')) return 'expected no leading or trailing space';
  return undefined;
}

/** BIP-44 purpose of each default single-key template (policy.c get_bip44_purpose). */
const DEFAULT_TEMPLATES: Readonly<Record<string, number>> = {
  'pkh(@0/**)': 44,
  'sh(wpkh(@0/**))': 49,
  'wpkh(@0/**)': 84,
  'tr(@0/**)': 86,
};

export const MAX_BIP44_ACCOUNT_RECOMMENDED = 100;
export const MAX_BIP44_ADDRESS_INDEX_RECOMMENDED = 50_000;

export interface DefaultPolicyContext {
  /** The app's coin type: 0 on "Bitcoin", 1 on "Bitcoin Test". */
  coinType: number;
  /** The device's master fingerprint (u32 big-endian reading). */
  masterFingerprint: number;
  /**
   * Whether `xpubText` is the device's own key at `path` (the app derives it and compares). Omit it
   * to check only the shape, as a host does before it knows the device.
   */
  isOwnKey?: (path: readonly number[], xpubText: string) => boolean;
}

/**
 * Whether the app treats `policy` as a default wallet: usable without registration (HMAC 32×00)
 * when the name is empty. Mirrors policy.c is_wallet_policy_standard.
 */
export function isDefaultWalletPolicy(policy: WalletPolicy, ctx: DefaultPolicyContext): boolean {
  const template = policy.descriptorTemplate.replaceAll('/<0;1>/*', '/**');
  const purpose = DEFAULT_TEMPLATES[template];
  if (purpose === undefined || policy.keys.length !== 1) return false;
  let info;
  try {
    info = parseKeyInfo(policy.keys[0]!);
  } catch {
    return false;
  }
  if (!info.origin || info.origin.fingerprint !== ctx.masterFingerprint >>> 0) return false;
  const p = info.origin.path;
  if (p.length !== 3 || p[0] !== HARDENED + purpose || p[1] !== HARDENED + ctx.coinType) return false;
  if (p[2]! < HARDENED || p[2]! > HARDENED + MAX_BIP44_ACCOUNT_RECOMMENDED) return false;
  return ctx.isOwnKey ? ctx.isOwnKey(p, info.xpub.text) : true;
}

/** SLIP-21 master node: HMAC-SHA512(key = "Symmetric key seed", seed). */
export function slip21Master(seed: Uint8Array): Uint8Array {
  return hmac(sha512, utf8.encode('Symmetric key seed'), abytes(seed, undefined, 'seed'));
}

/** SLIP-21 node for a label path: child = HMAC-SHA512(key = node[0:32], 0x00 || label). */
export function slip21Node(seed: Uint8Array, labels: readonly string[]): Uint8Array {
  let node = slip21Master(seed);
  for (const label of labels) node = hmac(sha512, node.subarray(0, 32), concat(Uint8Array.of(0), utf8.encode(label)));
  return node;
}

/** The 32-byte SLIP-21 key of a label path (the node's right half). */
export function slip21Key(seed: Uint8Array, labels: readonly string[]): Uint8Array {
  return slip21Node(seed, labels).slice(32, 64);
}

/** The label of the app's registration key (policy.c WALLET_SLIP0021_LABEL). */
export const WALLET_POLICY_SLIP21_LABEL = 'LEDGER-Wallet policy';

/** HMAC-SHA256(SLIP-21 key "LEDGER-Wallet policy", wallet id): what REGISTER_WALLET returns. */
export function walletPolicyHmac(seed: Uint8Array, walletId: Uint8Array): Uint8Array {
  return hmac(sha256, slip21Key(seed, [WALLET_POLICY_SLIP21_LABEL]), abytes(walletId, 32, 'wallet id'));
}

/** Constant-time check of a registration HMAC, as the app's check_wallet_hmac. */
export function verifyWalletPolicyHmac(seed: Uint8Array, walletId: Uint8Array, mac: Uint8Array): boolean {
  return equalConstantTime(walletPolicyHmac(seed, walletId), abytes(mac, 32, 'wallet hmac'));
}
