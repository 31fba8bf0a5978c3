import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex } from '../../../apdu/bytes.ts';
import { encodeCommand } from '../../../apdu/apdu.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { DeviceStatusError, statusName } from '../../../apdu/status.ts';
import { parsePath } from '../../../apdu/path.ts';
import {
  CLA_TAP,
  RequestError,
  TAP_SW,
  commitKeyAgg,
  decodeKeyAgg,
  encodeKeyAgg,
  getAppInfo,
  getKey,
  getMasterFingerprint,
  musigRound1,
  musigRound2,
  signGroupGenesis,
  tapCommand,
  tapRequestErrorStatus,
  type CommandSpec,
  type KeyAggContext,
} from '../../../apdu/tap-app/index.ts';

const G = fromHex('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
const H = fromHex('03dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659');

function statusOf(spec: CommandSpec<any, any>, data: Uint8Array): number {
  try {
    spec.decodeRequest(data);
  } catch (e) {
    return tapRequestErrorStatus(e);
  }
  return TAP_SW.OK;
}

const keyAgg: KeyAggContext = {
  participants: [G, H],
  tweaks: [
    { xOnly: false, tweak: new Uint8Array(32).fill(1) },
    { xOnly: true, tweak: new Uint8Array(32).fill(2) },
  ],
  ownPath: parsePath("m/1017'/1'/212'/0/3"),
};

describe('Taproot Assets app codecs', () => {
  it('GET_KEY request bytes and round trip', () => {
    const req = { display: true, path: parsePath("m/86'/1'/0'") };
    const apdu = encodeCommand(tapCommand(getKey, req));
    expect(toHex(apdu)).toBe('e71000020e' + '01' + '03' + '80000056' + '80000001' + '80000000');
    expect(getKey.decodeRequest(getKey.encodeRequest(req))).toEqual(req);
  });

  it('GET_KEY response round trip and checks', () => {
    const xpub = concat(fromHex('043587cf'), new Uint8Array(41), G);
    const res = { masterFingerprint: fromHex('f5acc2fd'), xpub };
    expect(getKey.decodeResponse(getKey.encodeResponse(res))).toEqual(res);
    const bad = concat(fromHex('f5acc2fd'), fromHex('deadbeef'), xpub.subarray(4));
    expect(() => getKey.decodeResponse(bad)).toThrow(CodecError);
    expect(() => getKey.decodeResponse(concat(getKey.encodeResponse(res), Uint8Array.of(0)))).toThrow(/extra bytes/);
  });

  it('malformed requests map to the status words of §1', () => {
    expect(statusOf(getKey, fromHex('02' + '00'))).toBe(TAP_SW.INCORRECT_DATA); // display 2
    expect(statusOf(getKey, fromHex('00' + '0b' + '00'.repeat(44)))).toBe(TAP_SW.INCORRECT_DATA); // depth 11
    expect(statusOf(getKey, fromHex('00' + '02' + '80000056'))).toBe(TAP_SW.WRONG_DATA_LENGTH); // truncated
    expect(statusOf(getKey, fromHex('00' + '00' + 'ff'))).toBe(TAP_SW.WRONG_DATA_LENGTH); // trailing
    expect(statusOf(getAppInfo, Uint8Array.of(1))).toBe(TAP_SW.WRONG_DATA_LENGTH);
    expect(statusOf(getMasterFingerprint, new Uint8Array())).toBe(TAP_SW.OK);
  });

  it('GET_APP_INFO response', () => {
    const info = { protocolVersion: 1, blindSigning: true, nonceSlots: 4, freeNonceSlots: 3 };
    expect(toHex(getAppInfo.encodeResponse(info))).toBe('01010403');
    expect(getAppInfo.decodeResponse(fromHex('01010403'))).toEqual(info);
    expect(() => getAppInfo.decodeResponse(fromHex('01020403'))).toThrow(/flags/);
    expect(() => getAppInfo.decodeResponse(fromHex('01000405'))).toThrow(/free slots/);
  });

  it('keyagg context encodes as §5.4 and round-trips', () => {
    const bytes = encodeKeyAgg(keyAgg);
    expect(toHex(bytes)).toBe(
      '02' + toHex(G) + toHex(H) + '02' + '00' + '01'.repeat(32) + '01' + '02'.repeat(32) + '05' + '800003f9' + '80000001' + '800000d4' + '00000000' + '00000003',
    );
    expect(decodeKeyAgg(bytes)).toEqual(keyAgg);
    const { commitment, preimage } = commitKeyAgg(keyAgg);
    expect(commitment).toEqual({ length: bytes.length, hash: sha256(bytes) });
    expect(preimage).toEqual(bytes);
  });

  it('keyagg refuses bad counts, kinds and keys with 6A80', () => {
    const status = (b: Uint8Array) => {
      try {
        decodeKeyAgg(b);
        return 0x9000;
      } catch (e) {
        return tapRequestErrorStatus(e);
      }
    };
    const good = encodeKeyAgg(keyAgg);
    expect(status(concat(Uint8Array.of(1), G, fromHex('0000')))).toBe(0x6a80); // one participant
    expect(status(Uint8Array.of(17))).toBe(0x6a80);
    const badKind = good.slice();
    badKind[1 + 66 + 1] = 2;
    expect(status(badKind)).toBe(0x6a80);
    const badKey = good.slice();
    badKey[1] = 0x04;
    expect(status(badKey)).toBe(0x6a80);
    expect(status(good.subarray(0, good.length - 1))).toBe(0x6a87);
    expect(() => encodeKeyAgg({ ...keyAgg, participants: [G] })).toThrow(RangeError);
  });

  it('MUSIG_ROUND1 / ROUND2 round trips', () => {
    const { commitment } = commitKeyAgg(keyAgg);
    const msg = new Uint8Array(32).fill(7);
    for (const req of [{ keyAgg: commitment }, { keyAgg: commitment, message: msg }])
      expect(musigRound1.decodeRequest(musigRound1.encodeRequest(req))).toEqual(req);
    const r1 = { handle: new Uint8Array(32).fill(9), pubnonce: concat(G, H), aggregateXOnly: G.subarray(1) };
    expect(musigRound1.decodeResponse(musigRound1.encodeResponse(r1))).toEqual(r1);
    const r2 = { handle: r1.handle, aggnonce: concat(H, G), message: msg, keyAgg: commitment };
    const enc = musigRound2.encodeRequest(r2);
    expect(enc.length).toBe(32 + 66 + 32 + 1 + 32);
    expect(musigRound2.decodeRequest(enc)).toEqual(r2);
    expect(musigRound2.decodeResponse(musigRound2.encodeResponse(msg))).toEqual(msg);
    expect(statusOf(musigRound1, concat(fromHex('fd0004'), new Uint8Array(32), Uint8Array.of(0)))).toBe(0x6a80); // keyagg too long
    expect(statusOf(musigRound1, concat(Uint8Array.of(10), new Uint8Array(32), Uint8Array.of(2)))).toBe(0x6a80); // has_msg 2
    expect(statusOf(musigRound2, enc.subarray(1))).toBe(0x6a87);
  });

  it('SIGN_GROUP_GENESIS round trip', () => {
    const req = { assetLength: 300, assetHash: new Uint8Array(32).fill(8), keyVersion: 1 as const, groupKeyPath: parsePath("m/86'/1'/0'/0/0") };
    expect(signGroupGenesis.decodeRequest(signGroupGenesis.encodeRequest(req))).toEqual(req);
    const withRoot = { ...req, keyVersion: 0 as const, tapscriptRoot: new Uint8Array(32).fill(6) };
    expect(signGroupGenesis.decodeRequest(signGroupGenesis.encodeRequest(withRoot))).toEqual(withRoot);
    const reissue = { ...withRoot, anchorAssetId: new Uint8Array(32).fill(7) };
    const reissueBytes = signGroupGenesis.encodeRequest(reissue);
    expect(toHex(reissueBytes.subarray(-32))).toBe('07'.repeat(32));
    expect(signGroupGenesis.decodeRequest(reissueBytes)).toEqual(reissue);
    expect(statusOf(signGroupGenesis, reissueBytes.subarray(0, -1))).toBe(0x6a87);
    // A V1 re-issuance names its anchor too: the device checks the key's tapscript root against it (§5.6).
    const v1Reissue = { ...reissue, keyVersion: 1 as const };
    expect(signGroupGenesis.decodeRequest(signGroupGenesis.encodeRequest(v1Reissue))).toEqual(v1Reissue);
    const bad = signGroupGenesis.encodeRequest(req);
    bad[3 + 32] = 2;
    expect(statusOf(signGroupGenesis, bad)).toBe(0x6a80);
    const res = { signature: new Uint8Array(64).fill(1), tweakedGroupKey: G.subarray(1) };
    expect(signGroupGenesis.decodeResponse(signGroupGenesis.encodeResponse(res))).toEqual(res);
  });

  it('status words have stable codes and names', () => {
    expect(CLA_TAP).toBe(0xe7);
    const e = new DeviceStatusError(0xb010, 'MUSIG_ROUND2');
    expect([e.code, e.name, e.statusCode, e.statusName]).toEqual(['E_NONCE_SESSION_UNKNOWN', 'NonceSessionUnknownError', 0xb010, 'NONCE_SESSION_UNKNOWN']);
    expect(e.message).toMatch(/^MUSIG_ROUND2: device answered b010 NONCE_SESSION_UNKNOWN/);
    const codes = [0xb011, 0xb012, 0xb013, 0xb014, 0x6985, 0x6e00, 0x6a87].map((sw) => new DeviceStatusError(sw).code);
    expect(codes).toEqual(['E_NONCE_SESSION_MISMATCH', 'E_BLIND_SIGNING_DISABLED', 'E_KEY_NOT_HELD', 'E_NONCE_SLOTS_FULL', 'E_USER_REFUSED', 'E_WRONG_APP', 'E_WRONG_LENGTH']);
    expect(statusName(TAP_SW.BLIND_SIGNING_DISABLED)).toBe('BLIND_SIGNING_DISABLED');
    expect(new RequestError('x')).toBeInstanceOf(CodecError);
  });
});
