import { describe, expect, it } from 'vitest';
import { chunkData, decodeCommand, decodeResponse, describeCommand, encodeCommand, encodeResponse, statusOnly } from '../../../apdu/apdu.ts';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { isTaprootHwError, type ErrorCode } from '../../../apdu/errors.ts';
import { assertStatus, DeviceStatusError, formatStatusWord, statusName, SW } from '../../../apdu/status.ts';

const codec = (message?: string) => expect.objectContaining({ code: 'E_CODEC', ...(message ? { message } : {}) });

describe('command APDUs', () => {
  it('encodes CLA INS P1 P2 Lc data (corpus: GET_EXTENDED_PUBKEY m/86h/1h/0h)', () => {
    const data = fromHex('00038000005680000001' + '80000000');
    expect(toHex(encodeCommand({ cla: 0xe1, ins: 0x00, p1: 0x00, p2: 0x01, data }))).toBe('e10000010e' + '00038000005680000001' + '80000000');
    expect(toHex(encodeCommand({ cla: 0xb0, ins: 0x01, p1: 0, p2: 0, data: new Uint8Array() }))).toBe('b001000000');
    expect(describeCommand({ cla: 0xe1, ins: 0x05, p1: 0, p2: 0, data: new Uint8Array() })).toBe('e105000000');
  });

  it('decodes header-only, Lc = 0 and full commands, round-tripping', () => {
    expect(decodeCommand(fromHex('b0010000'))).toEqual({ cla: 0xb0, ins: 0x01, p1: 0, p2: 0, data: new Uint8Array() });
    expect(decodeCommand(fromHex('b001000000'))).toEqual({ cla: 0xb0, ins: 0x01, p1: 0, p2: 0, data: new Uint8Array() });
    const full = fromHex('e0d8000007426974636f696e');
    const cmd = decodeCommand(full);
    expect([cmd.cla, cmd.ins, cmd.p1, cmd.p2, toHex(cmd.data)]).toEqual([0xe0, 0xd8, 0, 0, '426974636f696e']);
    expect(toHex(encodeCommand(cmd))).toBe(toHex(full));
    const max = encodeCommand({ cla: 1, ins: 2, p1: 3, p2: 4, data: new Uint8Array(255).fill(7) });
    expect(max.length).toBe(260);
    expect(decodeCommand(max).data.length).toBe(255);
  });

  it('refuses a bad Lc or a short header with CodecError', () => {
    expect(() => decodeCommand(fromHex('e1000001'.concat('05', 'aabb')))).toThrow(codec('apdu: Lc says 5 data bytes, got 2'));
    expect(() => decodeCommand(fromHex('e1000001'.concat('01', 'aabb')))).toThrow(codec('apdu: Lc says 1 data bytes, got 2'));
    expect(() => decodeCommand(fromHex('e1000001'.concat('00', 'aa')))).toThrow(codec());
    expect(() => decodeCommand(fromHex('e10000'))).toThrow(codec('apdu: expected at least 4 header bytes, got 3'));
    expect(() => decodeCommand(new Uint8Array())).toThrow(codec());
  });

  it('refuses data over 255 bytes and non-byte header fields with RangeError', () => {
    expect(() => encodeCommand({ cla: 0xe1, ins: 0, p1: 0, p2: 1, data: new Uint8Array(256) })).toThrow(/at most 255 bytes, got 256; use chunkData/);
    expect(() => encodeCommand({ cla: 0x100, ins: 0, p1: 0, p2: 1, data: new Uint8Array() })).toThrow('apdu.cla: expected a byte 0..255, got 256');
    expect(() => encodeCommand({ cla: 0xe1, ins: -1, p1: 0, p2: 1, data: new Uint8Array() })).toThrow(RangeError);
    expect(() => encodeCommand({ cla: 0xe1, ins: 0, p1: 1.5, p2: 1, data: new Uint8Array() })).toThrow(RangeError);
  });
});

describe('responses and chunking', () => {
  it('response = data || SW', () => {
    expect(toHex(encodeResponse({ data: fromHex('f5acc2fd'), statusWord: 0x9000 }))).toBe('f5acc2fd9000');
    const r = decodeResponse(fromHex('f5acc2fd9000'));
    expect([toHex(r.data), r.statusWord]).toEqual(['f5acc2fd', 0x9000]);
    expect(decodeResponse(fromHex('6e00'))).toEqual({ data: new Uint8Array(), statusWord: 0x6e00 });
    expect(toHex(statusOnly(SW.BAD_STATE))).toBe('b007');
    expect(() => decodeResponse(fromHex('90'))).toThrow(codec('apdu response: expected at least 2 bytes (status word), got 1'));
  });

  it('chunks payloads over 255 bytes into full pieces and a remainder', () => {
    const payload = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    const chunks = chunkData(payload);
    expect(chunks.map((c) => c.length)).toEqual([255, 255, 90]);
    expect(toHex(Uint8Array.from(chunks.flatMap((c) => [...c])))).toBe(toHex(payload));
    expect(chunkData(new Uint8Array(255)).map((c) => c.length)).toEqual([255]);
    expect(chunkData(new Uint8Array(256)).map((c) => c.length)).toEqual([255, 1]);
    expect(chunkData(new Uint8Array()).map((c) => c.length)).toEqual([0]);
    expect(chunkData(new Uint8Array(10), 4).map((c) => c.length)).toEqual([4, 4, 2]);
    expect(() => chunkData(new Uint8Array(10), 0)).toThrow('chunk size: expected 1..255, got 0');
    expect(() => chunkData(new Uint8Array(10), 256)).toThrow(RangeError);
  });
});

describe('status words', () => {
  const table: [number, string, string, string][] = [
    [0x6985, 'DENY', 'E_USER_REFUSED', 'UserRefusedError'],
    [0x6a80, 'INCORRECT_DATA', 'E_INCORRECT_DATA', 'IncorrectDataError'],
    [0x6a82, 'NOT_SUPPORTED', 'E_NOT_SUPPORTED', 'NotSupportedError'],
    [0x6a86, 'WRONG_P1P2', 'E_WRONG_P1P2', 'WrongP1P2Error'],
    [0x6a87, 'WRONG_DATA_LENGTH', 'E_WRONG_LENGTH', 'WrongDataLengthError'],
    [0x6b00, 'FAIL_SWAP', 'E_SWAP_FAILED', 'SwapFailedError'],
    [0x6d00, 'INS_NOT_SUPPORTED', 'E_INS_NOT_SUPPORTED', 'InsNotSupportedError'],
    [0x6e00, 'CLA_NOT_SUPPORTED', 'E_WRONG_APP', 'WrongAppError'],
    [0xb000, 'WRONG_RESPONSE_LENGTH', 'E_WRONG_RESPONSE_LENGTH', 'WrongResponseLengthError'],
    [0xb007, 'BAD_STATE', 'E_BAD_STATE', 'BadStateError'],
    [0xb008, 'SIGNATURE_FAIL', 'E_SIGNATURE_FAIL', 'SignatureFailError'],
    [0x5515, 'LOCKED_DEVICE', 'E_LOCKED', 'LockedDeviceError'],
    [0x5501, 'USER_REFUSED_ON_DEVICE', 'E_USER_REFUSED', 'UserRefusedError'],
    [0x6807, 'APP_NOT_FOUND', 'E_APP_NOT_FOUND', 'AppNotFoundError'],
    [0x5123, 'APP_NOT_FOUND_OR_INVALID_CONTEXT', 'E_APP_NOT_FOUND', 'AppNotFoundError'],
    [0x670a, 'INVALID_APP_NAME_LENGTH', 'E_INVALID_APP_NAME', 'InvalidAppNameError'],
    [0x6700, 'WRONG_LENGTH', 'E_WRONG_LENGTH', 'WrongDataLengthError'],
    [0x6982, 'SECURITY_STATUS_NOT_SATISFIED', 'E_SECURITY_STATUS', 'SecurityStatusError'],
  ];

  it.each(table)('%s is %s and raises %s (%s)', (sw, name, code, error) => {
    expect(statusName(sw)).toBe(name);
    const err = new DeviceStatusError(sw);
    expect(err).toBeInstanceOf(Error);
    expect(isTaprootHwError(err, code as ErrorCode)).toBe(true);
    expect([err.code, err.name]).toEqual([code, error]);
    expect(err.statusCode).toBe(sw);
    expect(err.statusName).toBe(name);
    expect(err.message).toMatch(new RegExp(`^device answered ${formatStatusWord(sw)} ${name}: .+`));
  });

  it('6e00 says the wrong app may be open; 5515 says the device is locked', () => {
    expect(new DeviceStatusError(0x6e00, 'getMasterFingerprint').message).toBe(
      'getMasterFingerprint: device answered 6e00 CLA_NOT_SUPPORTED: CLA not supported: is the right app open?',
    );
    expect(() => assertStatus(0x5515)).toThrow(expect.objectContaining({ code: 'E_LOCKED', statusCode: 0x5515, message: expect.stringContaining('locked') }));
  });

  it('9000 and e000 have names; unknown words raise DeviceStatusError', () => {
    expect(statusName(0x9000)).toBe('OK');
    expect(statusName(0xe000)).toBe('INTERRUPTED_EXECUTION');
    expect(statusName(0x1234)).toBe('UNKNOWN');
    const err = new DeviceStatusError(0x1234);
    expect([err.code, err.name, err.statusName, err.message]).toEqual(['E_DEVICE_STATUS', 'DeviceStatusError', 'UNKNOWN', 'device answered 1234 UNKNOWN: unknown status word']);
    expect(formatStatusWord(0x6a80)).toBe('6a80');
    expect(formatStatusWord(0x0100)).toBe('0100');
  });

  it('assertStatus passes accepted words and carries the 2.4.x error code', () => {
    expect(() => assertStatus(0x9000)).not.toThrow();
    expect(() => assertStatus(0xe000, 'signPsbt', undefined, [0x9000, 0xe000])).not.toThrow();
    expect(() => assertStatus(0x6a80, 'registerWallet', fromHex('0002'))).toThrow(
      expect.objectContaining({ code: 'E_INCORRECT_DATA', errorCode: 2, message: expect.stringContaining('(error code 0x0002)') }),
    );
    const noCode = (() => {
      try {
        assertStatus(0x6a80, undefined, fromHex('000203'));
      } catch (e) {
        return e as DeviceStatusError;
      }
    })();
    expect(noCode?.errorCode).toBeUndefined();
  });
});
