// The example MuSig2 spend the demo signs and the coordinator tests sign: 50,000 sat received at a
// musig() policy's first receive address, spent to one output with a 1,000 sat fee. Internal: not
// exported from the package (host/musig2/index.ts leaves it out); it is a worked example, not an API.

import { TEST_NETWORK, Transaction } from '@scure/btc-signer';
import { policyOutput, type DerivedOutput } from '../../bitcoin/descriptor/scripts.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { aggregateFingerprint, musigContexts, type MusigKeyContext } from '../../bitcoin/musig/context.ts';

/** What the example spends and where it pays to (a testnet P2TR address). */
export const EXAMPLE_SPEND = { amount: 50_000n, sent: 49_000n, to: 'tb1p9y6pr3ec7jfdg6aaa282eu6pxn630ujlmkuwzvmdc6lam3t7dy7qrvhl3c' } as const;

export interface ExampleMusigSpend {
  /** The unsigned transaction; its PSBT (`tx.toPSBT()`) is what the signers get. */
  tx: Transaction;
  /** The policy's first receive output, the one spent. */
  output: DerivedOutput;
  /** The musig() key's aggregation context (participants, tweaks). */
  context: MusigKeyContext;
  /** BIP-341 key-path sighash of the only input. */
  sighash: Uint8Array;
}

/**
 * The spend of a key-path musig() policy (e.g. tr(musig(@0,@1)/**)). The input carries the
 * aggregate's BIP-373-style derivation (fingerprint of the aggregate, path 0/0), which is how the
 * Bitcoin app finds its musig() key expression in the PSBT.
 */
export function exampleMusigSpend(template: string, keys: readonly string[]): ExampleMusigSpend {
  const output = policyOutput(parsePolicy(template, keys), false, 0);
  const context = musigContexts(output)[0];
  if (!context) throw new RangeError(`example spend: expected a key-path musig() policy, got ${template}`);
  const fp = aggregateFingerprint(context.aggregate);
  const internalKey = output.taproot!.internalKey;
  const tx = new Transaction({ version: 2 });
  tx.addInput({
    txid: new Uint8Array(32).fill(0x5a),
    index: 0,
    witnessUtxo: { script: output.scriptPubKey, amount: EXAMPLE_SPEND.amount },
    tapInternalKey: internalKey,
    tapBip32Derivation: [[internalKey, { hashes: [], der: { fingerprint: new DataView(fp.buffer, fp.byteOffset).getUint32(0), path: [0, 0] } }]],
  });
  tx.addOutputAddress(EXAMPLE_SPEND.to, EXAMPLE_SPEND.sent, TEST_NETWORK);
  return { tx, output, context, sighash: tx.preimageWitnessV1(0, [output.scriptPubKey], 0, [EXAMPLE_SPEND.amount]) };
}
