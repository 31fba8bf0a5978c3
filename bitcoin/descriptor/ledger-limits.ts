// Limits of the Ledger Bitcoin app 2.4.x on top of BIP-388 (src/common/wallet.h, docs/bitcoin-app-protocol.md §2):
// a policy within BIP-388 but beyond these is refused by the device, so hosts check first.

import type { CheckedTemplate } from './template.ts';
import type { Descriptor } from './ast.ts';
import { miniscriptNodes, taptreeDepth } from './walk.ts';
import { DescriptorError } from '../errors.ts';
import { utf8 } from '../../apdu/bytes.ts';

export const LEDGER_LIMITS = {
  /** MAX_DESCRIPTOR_TEMPLATE_LENGTH_V2 */
  templateBytes: 512,
  /** MAX_N_KEYS_IN_WALLET_POLICY */
  keys: 15,
  /** MAX_PUBKEYS_PER_MUSIG */
  musigKeys: 5,
  /** MAX_PUBKEYS_PER_MULTISIG (multi, sortedmulti, multi_a, sortedmulti_a) */
  multisigKeys: 16,
  /**
   * Deepest leaf, in BIP-341 terms (the number of branches above it). The app's
   * MAX_TAPTREE_POLICY_DEPTH is 9 but counts the tree itself as depth 1 (wallet.c parse_tree), so
   * a leaf under 9 branches is already refused.
   */
  taptreeDepth: 8,
} as const;

export function checkLedgerLimits(template: string, checked: CheckedTemplate): void {
  const L = LEDGER_LIMITS;
  const bytes = utf8.encode(template).length;
  if (bytes > L.templateBytes) fail(`template: expected at most ${L.templateBytes} bytes, got ${bytes}`);
  if (checked.keyCount > L.keys) fail(`keys: expected at most ${L.keys}, got ${checked.keyCount}`);
  for (const k of checked.keys)
    if (k.musig && k.indexes.length > L.musigKeys) fail(`musig(): expected at most ${L.musigKeys} keys, got ${k.indexes.length}`);
  const ast = checked.ast;
  if (ast.kind === 'tr' && ast.tree) {
    const depth = taptreeDepth(ast.tree);
    if (depth > L.taptreeDepth) fail(`taptree: expected leaves at depth at most ${L.taptreeDepth}, got ${depth}`);
  }
  checkLedgerMultisigLimit(ast);
}

/** MAX_PUBKEYS_PER_MULTISIG, which the app applies to multi_a() and sortedmulti_a() too (BIP-379 allows 999). */
export function checkLedgerMultisigLimit(ast: Descriptor): void {
  for (const { fragment: f } of miniscriptNodes(ast))
    if ('keys' in f && f.keys.length > LEDGER_LIMITS.multisigKeys)
      fail(`${f.name}(): expected at most ${LEDGER_LIMITS.multisigKeys} keys, got ${f.keys.length}`);
}

function fail(message: string): never {
  throw new DescriptorError('limit', `Ledger Bitcoin app limit: ${message}`);
}
