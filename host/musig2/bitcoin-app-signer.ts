// A device running the Ledger Bitcoin app as a MuSig2 participant, through SIGN_PSBT as the app
// does MuSig2 (docs/bitcoin-app-protocol.md §6–7, BIP-373): round 1 signs the PSBT without pubnonces and the
// device yields its pubnonce (keeping the secret nonce in its own session); round 2 signs the PSBT
// with every participant's pubnonce written in and the device yields its partial signature. The
// device computes the sighash itself from the PSBT: a message that differs shows up as a partial
// signature that fails PartialSigVerify, with this signer named.

import { Transaction } from '@scure/btc-signer';
import type { SignPsbtYield } from '../../apdu/yields.ts';
import { getMusigPubNonces, setMusigPubNonce } from '../../bitcoin/musig/psbt-fields.ts';
import type { WalletPolicy } from '../../bitcoin/wallet-policy.ts';
import { BitcoinAppClient, psbtBytes, type PsbtInput } from '../bitcoin-app/index.ts';
import type { MusigSession, MusigSigner, SignerRound1 } from './signer.ts';
import { musigYield } from './device-yield.ts';
import { HostError } from '../errors.ts';

export interface BitcoinAppMusigInput {
  psbt: PsbtInput;
  policy: WalletPolicy;
  /** Registration HMAC (null for a default wallet, which a musig() policy never is). */
  hmac: Uint8Array | null;
  inputIndex: number;
}

export class BitcoinAppMusigSigner implements MusigSigner {
  constructor(
    readonly client: BitcoinAppClient,
    /** The device's participant key in the policy (its key-origin xpub's public key). */
    readonly publicKey: Uint8Array,
    readonly input: BitcoinAppMusigInput,
    readonly name = 'device (Bitcoin app)',
  ) {}

  private transaction(): Transaction {
    return Transaction.fromPSBT(psbtBytes(this.input.psbt), { allowUnknown: true, allowUnknownInputs: true, allowUnknownOutputs: true });
  }

  private find<T extends 'musigPubNonce' | 'musigPartialSignature'>(yields: SignPsbtYield[], type: T, session: MusigSession) {
    const wanted = { inputIndex: this.input.inputIndex, participant: this.publicKey, aggregate: session.aggregatePubkey, leafHash: session.leafHash };
    return musigYield('SIGN_PSBT', yields, type, wanted);
  }

  async round1(session: MusigSession): Promise<SignerRound1> {
    const tx = this.transaction();
    if (getMusigPubNonces(tx, this.input.inputIndex).length > 0)
      throw new HostError('E_DEVICE_RESPONSE', `input ${this.input.inputIndex} already carries MuSig2 pubnonces: round 1 needs a PSBT without them`);
    const { policy, hmac } = this.input;
    const y = this.find(await this.client.signPsbt(tx, policy, hmac), 'musigPubNonce', session);
    return {
      pubnonce: y.pubnonce,
      round2: async ({ pubnonces }) => {
        const withNonces = this.transaction();
        session.participants.forEach((participant, i) =>
          setMusigPubNonce(withNonces, this.input.inputIndex, { participant, aggregate: session.aggregatePubkey, leafHash: session.leafHash, pubnonce: pubnonces[i]! }),
        );
        const r = this.find(await this.client.signPsbt(withNonces, policy, hmac), 'musigPartialSignature', session);
        return r.partialSignature;
      },
    };
  }
}
