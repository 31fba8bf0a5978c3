// Key-information strings of BIP-388 wallet policies: `[fingerprint/path]xpub`, the origin being
// optional (a key without origin is treated as external by the Ledger app, doc/wallet.md).
// In policy version 2 the string carries no `/**` suffix (docs/bitcoin-app-protocol.md §5).

import { formatPath, parsePath } from '../apdu/path.ts';
import { decodeExtendedPublicKey, type ExtendedPublicKey } from './extended-key.ts';
import { BitcoinError } from './errors.ts';

export interface KeyOrigin {
  /** Master key fingerprint as a u32 (big-endian reading of the 4 bytes). */
  readonly fingerprint: number;
  readonly path: readonly number[];
}

export interface KeyInfo {
  readonly origin: KeyOrigin | undefined;
  readonly xpub: ExtendedPublicKey;
}

const KEY_INFO = /^(?:\[([0-9a-fA-F]{8})((?:\/[0-9]+['hH]?)*)\])?([1-9A-HJ-NP-Za-km-z]+)$/;

export function parseKeyOrigin(text: string): KeyOrigin {
  const m = /^([0-9a-fA-F]{8})((?:\/[^/]+)*)$/.exec(text);
  if (!m) throw new BitcoinError('E_KEY_INFO', `key origin: expected 8 hex digits of fingerprint then /steps, got "${text}"`);
  let path: number[];
  try {
    path = parsePath(m[2]!.length ? m[2]!.slice(1) : '');
  } catch (e) {
    throw new BitcoinError('E_KEY_INFO', `key origin: ${(e as Error).message}`);
  }
  return { fingerprint: parseInt(m[1]!, 16) >>> 0, path };
}

export function formatKeyOrigin(origin: KeyOrigin): string {
  const fp = origin.fingerprint.toString(16).padStart(8, '0');
  return origin.path.length ? `${fp}/${formatPath(origin.path, { prefix: false })}` : fp;
}

/**
 * Parses `[f5acc2fd/86'/1'/0']tpub...` or a bare xpub. The origin's length is not checked against
 * the xpub's depth: BIP-388 does not require it and neither does the Ledger app.
 */
export function parseKeyInfo(text: string): KeyInfo {
  if (typeof text !== 'string') throw new BitcoinError('E_KEY_INFO', `key info: expected a string, got ${typeof text}`);
  const m = KEY_INFO.exec(text);
  if (!m) throw new BitcoinError('E_KEY_INFO', `key info: expected "[fingerprint/path]xpub" or "xpub", got "${text}"`);
  const origin = m[1] !== undefined ? parseKeyOrigin(`${m[1]}${m[2] ?? ''}`) : undefined;
  const xpub = decodeExtendedPublicKey(m[3]!);
  return { origin, xpub };
}

export function formatKeyInfo(info: KeyInfo): string {
  return info.origin ? `[${formatKeyOrigin(info.origin)}]${info.xpub.text}` : info.xpub.text;
}
