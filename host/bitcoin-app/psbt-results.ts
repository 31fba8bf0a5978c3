// Writes what SIGN_PSBT yielded into the PSBT, as the fields a finalizer or a MuSig2 coordinator
// reads: ECDSA signatures as PSBT_IN_PARTIAL_SIG (BIP-174), taproot key-path and script-path
// signatures as PSBT_IN_TAP_KEY_SIG / PSBT_IN_TAP_SCRIPT_SIG (BIP-371), MuSig2 pubnonces and partial
// signatures as PSBT_IN_MUSIG2_PUB_NONCE / PSBT_IN_MUSIG2_PARTIAL_SIG keyed by participant key,
// aggregate key and leaf hash (BIP-373). Fields are set through @scure/btc-signer, which checks them.

import { Transaction } from '@scure/btc-signer';
import type { SignPsbtYield } from '../../apdu/yields.ts';
import { psbtBytes, type PsbtInput } from './client.ts';

/** Returns a Transaction holding `psbt` plus the results (a given Transaction is updated in place). */
export function applySignPsbtResults(psbt: PsbtInput, results: readonly SignPsbtYield[]): Transaction {
  const tx = psbt instanceof Transaction ? psbt : Transaction.fromPSBT(psbtBytes(psbt), { allowUnknown: true, allowUnknownInputs: true, allowUnknownOutputs: true });
  for (const y of results) {
    if (y.inputIndex >= tx.inputsLength)
      throw new RangeError(`sign result: input ${y.inputIndex} does not exist, the PSBT has ${tx.inputsLength}`);
    switch (y.type) {
      case 'partialSignature':
        if (y.pubkey.length === 33) tx.updateInput(y.inputIndex, { partialSig: [[y.pubkey, y.signature]] }, true);
        else if (y.tapleafHash) tx.updateInput(y.inputIndex, { tapScriptSig: [[{ pubKey: y.pubkey, leafHash: y.tapleafHash }, y.signature]] }, true);
        else tx.updateInput(y.inputIndex, { tapKeySig: y.signature }, true);
        break;
      case 'musigPubNonce':
      case 'musigPartialSignature': {
        const key = { participantPubkey: y.participantPubkey, aggregatePubkey: y.aggregatePubkey, ...(y.tapleafHash ? { leafHash: y.tapleafHash } : {}) };
        if (y.type === 'musigPubNonce') tx.updateInput(y.inputIndex, { musig2PubNonce: [[key, y.pubnonce]] }, true);
        else tx.updateInput(y.inputIndex, { musig2PartialSig: [[key, y.partialSignature]] }, true);
        break;
      }
    }
  }
  return tx;
}
