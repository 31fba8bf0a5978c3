// GET_APP_INFO (§5.1) and GET_MASTER_FINGERPRINT (§5.2): no review, nothing secret.

import { getAppInfo } from '../../../apdu/tap-app/get-app-info.ts';
import { getMasterFingerprint } from '../../../apdu/tap-app/get-master-fingerprint.ts';
import { TAP_PROTOCOL_VERSION } from '../../../apdu/tap-app/spec.ts';
import type { TapHandler } from './command.ts';
import { decodeBody } from './decode.ts';
import { masterFingerprintBytes } from './keys.ts';
import { NONCE_SLOTS } from './nonce-slots.ts';

export const getAppInfoHandler: TapHandler = async ({ ctx, state, body }) => {
  decodeBody(getAppInfo, body);
  return getAppInfo.encodeResponse({
    protocolVersion: TAP_PROTOCOL_VERSION,
    blindSigning: ctx.settings.blindSigning,
    nonceSlots: NONCE_SLOTS,
    freeNonceSlots: state.slots.free,
  });
};

export const getMasterFingerprintHandler: TapHandler = async ({ ctx, body }) => {
  decodeBody(getMasterFingerprint, body);
  return getMasterFingerprint.encodeResponse(masterFingerprintBytes(ctx));
};
