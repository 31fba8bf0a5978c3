// GET_MASTER_FINGERPRINT (E7 05, §5.2): empty request; the 4-byte fingerprint of the master key.

import { ByteReader } from '../bytes.ts';
import { CLA_TAP, TAP_INS, field, type CommandSpec } from './spec.ts';

export const getMasterFingerprint: CommandSpec<void, Uint8Array> = {
  name: 'GET_MASTER_FINGERPRINT',
  cla: CLA_TAP,
  ins: TAP_INS.GET_MASTER_FINGERPRINT,
  encodeRequest: () => new Uint8Array(),
  decodeRequest(data) {
    new ByteReader(data, 'GET_MASTER_FINGERPRINT').end();
  },
  encodeResponse: (fpr) => field(fpr, 4, 'master fingerprint'),
  decodeResponse(data) {
    const r = new ByteReader(data, 'GET_MASTER_FINGERPRINT response');
    const fpr = r.bytesN(4, 'fingerprint').slice();
    r.end();
    return fpr;
  },
};
