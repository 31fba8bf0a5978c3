import { describe, expect, it } from 'vitest';
import { decodeCommand, decodeResponse } from '../../../apdu/apdu.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { toHex, fromHex } from '../../../apdu/bytes.ts';
import {
  continueCommand,
  decodeClientCommandRequest,
  decodeClientCommandResponse,
  encodeClientCommandRequest,
  encodeClientCommandResponse,
  isContinueCommand,
} from '../../../apdu/interrupt.ts';
import { encodeCommand } from '../../../apdu/apdu.ts';
import { MODELS, flowNames, loadExchanges } from './corpus.ts';

describe('client command codecs over every corpus interrupt', () => {
  for (const model of MODELS)
    for (const flow of flowNames(model)) {
      it(`${model}/${flow}: requests and CONTINUE answers decode and re-encode byte for byte`, () => {
        const ex = loadExchanges(model, flow);
        let seen = 0;
        for (let i = 0; i + 1 < ex.length; i++) {
          const res = decodeResponse(ex[i]!.response);
          if (res.statusWord !== 0xe000) continue;
          const next = decodeCommand(ex[i + 1]!.command);
          expect(isContinueCommand(next)).toBe(true);
          const req = decodeClientCommandRequest(res.data);
          expect(toHex(encodeClientCommandRequest(req))).toBe(toHex(res.data));
          // The tampered flow's CONTINUE carries a bad proof hash, still well-formed bytes.
          const answer = decodeClientCommandResponse(req.command, next.data);
          expect(toHex(encodeClientCommandResponse(answer))).toBe(toHex(next.data));
          expect(toHex(encodeCommand(continueCommand(next.data)))).toBe(toHex(ex[i + 1]!.command));
          seen++;
        }
        if (/^(policy|sign-psbt|sign-message|errors-unregistered|errors-psbt)/.test(flow)) expect(seen).toBeGreaterThan(0);
      });
    }
});

describe('client command request decoding is strict', () => {
  it('refuses an unknown code, a non-zero reserved byte, trailing bytes and index >= size', () => {
    expect(() => decodeClientCommandRequest(fromHex('7f'))).toThrow(CodecError);
    expect(() => decodeClientCommandRequest(fromHex('4001' + '00'.repeat(32)))).toThrow(/reserved byte 0/);
    expect(() => decodeClientCommandRequest(fromHex('a000'))).toThrow(/extra bytes/);
    expect(() => decodeClientCommandRequest(fromHex('41' + '00'.repeat(32) + '0202'))).toThrow(/index < size/);
    expect(() => decodeClientCommandRequest(fromHex('42' + '00'.repeat(63)))).toThrow(/leafHash/);
  });

  it('refuses responses whose counts exceed their totals, as the app does', () => {
    expect(() => decodeClientCommandResponse('GET_PREIMAGE', fromHex('0203aabbcc'))).toThrow(/at most 2/);
    expect(() => decodeClientCommandResponse('GET_MERKLE_LEAF_PROOF', fromHex('00'.repeat(32) + '0102' + '00'.repeat(64)))).toThrow(
      /at most 1 hashes/,
    );
    expect(() => decodeClientCommandResponse('GET_MERKLE_LEAF_INDEX', fromHex('0200'))).toThrow(/found 0 or 1/);
    expect(() => decodeClientCommandResponse('GET_MORE_ELEMENTS', fromHex('0320aa'))).toThrow(CodecError);
  });

  it('refuses to encode a response longer than one APDU', () => {
    expect(() =>
      encodeClientCommandResponse({ command: 'GET_MORE_ELEMENTS', elementSize: 1, elements: Array.from({ length: 254 }, () => Uint8Array.of(1)) }),
    ).toThrow(/at most 255 bytes/);
  });
});
