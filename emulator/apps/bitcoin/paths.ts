// Derivation-path rules of the app (docs/bitcoin-app-protocol.md §8).

import { HARDENED } from '../../../apdu/path.ts';

/**
 * get_extended_pubkey.c is_path_safe_for_pubkey_export: BIP-44/49/84/86/45 accounts (3 hardened
 * steps) or BIP-48 (4, script type 1' or 2'), the app's coin type, account <= 100, any further
 * steps unhardened; or Electrum's m/4541509'/1112098098'.
 */
export function isPathSafeForExport(path: readonly number[], coinType: number): boolean {
  if (path.length === 2 && path[0] === 4541509 + HARDENED && path[1] === 1112098098 + HARDENED) return true;
  if (path.length < 3) return false;
  const purpose = path[0]! & 0x7fffffff;
  const hardenedSteps = [44, 49, 84, 86, 45].includes(purpose) ? 3 : purpose === 48 ? 4 : 0;
  if (hardenedSteps === 0 || path.length < hardenedSteps) return false;
  for (let i = 0; i < path.length; i++) if (i < hardenedSteps !== path[i]! >= HARDENED) return false;
  if ((path[1]! & 0x7fffffff) !== coinType) return false;
  if ((path[2]! & 0x7fffffff) > 100) return false;
  if (purpose === 48) {
    const scriptType = path[3]! & 0x7fffffff;
    if (scriptType !== 1 && scriptType !== 2) return false;
  }
  return true;
}

/** bip32_path_format: "86'/1'/0'/0/0", no "m/" prefix; the master key reads "(Master key)". */
export function formatPathForDisplay(path: readonly number[]): string {
  if (path.length === 0) return '(Master key)';
  return path.map((n) => (n >= HARDENED ? `${n - HARDENED}'` : String(n))).join('/');
}
