// GET_MASTER_FINGERPRINT (E1 05): the first 4 bytes of HASH160 of the master public key.

import { u32be } from '../../../apdu/bytes.ts';
import { getMasterFingerprint as spec } from '../../../apdu/bitcoin-app/get-master-fingerprint.ts';
import { handler } from './command.ts';
import { masterFingerprint } from '../common/keys.ts';

export const getMasterFingerprint = handler(spec, async ({ ctx }) => u32be(masterFingerprint(ctx)));
