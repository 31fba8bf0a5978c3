// GET_MASTER_FINGERPRINT (E1 05): no request data, 4 bytes back without user interaction
// (src/handler/get_master_fingerprint.c). The handler reads nothing, so any data is accepted.

import { ByteReader } from '../bytes.ts';
import { CLA_BITCOIN, INS, bytesField, type CommandSpec } from './spec.ts';

export const getMasterFingerprint: CommandSpec<void, Uint8Array> = {
  name: 'GET_MASTER_FINGERPRINT',
  cla: CLA_BITCOIN,
  ins: INS.GET_MASTER_FINGERPRINT,
  encodeRequest: () => new Uint8Array(),
  decodeRequest: () => undefined,
  encodeResponse: (fpr) => bytesField(fpr, 4, 'master fingerprint'),
  decodeResponse(data) {
    const r = new ByteReader(data, 'GET_MASTER_FINGERPRINT response');
    const fpr = r.bytesN(4, 'fingerprint').slice();
    r.end();
    return fpr;
  },
};
