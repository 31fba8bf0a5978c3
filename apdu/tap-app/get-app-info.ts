// GET_APP_INFO (E7 01, §5.1): empty request; `protocol_version:u8 || flags:u8 || n_slots:u8 ||
// free_slots:u8`, flags bit 0 = blind signing enabled.

import { ByteReader } from '../bytes.ts';
import { CodecError } from '../errors.ts';
import { CLA_TAP, TAP_INS, type CommandSpec } from './spec.ts';

export interface TapAppInfo {
  protocolVersion: number;
  blindSigning: boolean;
  nonceSlots: number;
  freeNonceSlots: number;
}

const FLAG_BLIND_SIGNING = 0x01;

function byte(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`GET_APP_INFO.${what}: expected 0..255, got ${n}`);
  return n;
}

export const getAppInfo: CommandSpec<void, TapAppInfo> = {
  name: 'GET_APP_INFO',
  cla: CLA_TAP,
  ins: TAP_INS.GET_APP_INFO,
  encodeRequest: () => new Uint8Array(),
  decodeRequest(data) {
    new ByteReader(data, 'GET_APP_INFO').end();
  },
  encodeResponse: (info) =>
    Uint8Array.of(
      byte(info.protocolVersion, 'protocolVersion'),
      info.blindSigning ? FLAG_BLIND_SIGNING : 0,
      byte(info.nonceSlots, 'nonceSlots'),
      byte(info.freeNonceSlots, 'freeNonceSlots'),
    ),
  decodeResponse(data) {
    const r = new ByteReader(data, 'GET_APP_INFO response');
    const protocolVersion = r.u8('protocolVersion');
    const flags = r.u8('flags');
    const nonceSlots = r.u8('nonceSlots');
    const freeNonceSlots = r.u8('freeNonceSlots');
    r.end();
    if (flags & ~FLAG_BLIND_SIGNING) throw new CodecError(`GET_APP_INFO response.flags: expected only bit 0, got 0x${flags.toString(16)}`);
    if (freeNonceSlots > nonceSlots)
      throw new CodecError(`GET_APP_INFO response: expected free slots <= ${nonceSlots}, got ${freeNonceSlots}`);
    return { protocolVersion, blindSigning: (flags & FLAG_BLIND_SIGNING) !== 0, nonceSlots, freeNonceSlots };
  },
};
