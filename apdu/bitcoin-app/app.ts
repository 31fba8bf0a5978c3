// The Ledger Bitcoin app as one description (docs/bitcoin-app-protocol.md §1): CLA E1, protocol
// version 1, its six commands and the status words it answers.

import type { AppWire } from '../command-spec.ts';
import { SW } from '../status.ts';
import { getExtendedPubkey } from './get-extended-pubkey.ts';
import { getMasterFingerprint } from './get-master-fingerprint.ts';
import { getWalletAddress } from './get-wallet-address.ts';
import { registerWallet } from './register-wallet.ts';
import { signMessage } from './sign-message.ts';
import { signPsbt } from './sign-psbt.ts';
import { CLA_BITCOIN, PROTOCOL_VERSION } from './spec.ts';

export const BITCOIN_APP: AppWire = {
  name: 'Bitcoin',
  cla: CLA_BITCOIN,
  protocolVersion: PROTOCOL_VERSION,
  commands: [getExtendedPubkey, registerWallet, getWalletAddress, signPsbt, getMasterFingerprint, signMessage],
  statusWords: SW,
};
