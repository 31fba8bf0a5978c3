import { describe, expect, it } from 'vitest';
import { decodeCommand, decodeResponse, encodeCommand } from '../../../apdu/apdu.ts';
import { fromHex, toHex, utf8 } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { parsePath } from '../../../apdu/path.ts';
import {
  GET_APP_AND_VERSION_APDU,
  commandApdu,
  decodeSignPsbtYield,
  decodeWalletPolicyHeader,
  encodeSignPsbtYield,
  encodeWalletPolicyHeader,
  getAppAndVersion,
  getExtendedPubkey,
  getMasterFingerprint,
  getWalletAddress,
  registerWallet,
  requestErrorStatus,
  signMessage,
  signPsbt,
  type CommandSpec,
} from '../../../apdu/bitcoin-app/index.ts';
import { decodeClientCommandRequest } from '../../../apdu/interrupt.ts';
import { loadExchanges, loadFlow } from './corpus.ts';

const SPECS: Record<number, CommandSpec<any, any>> = {
  0x00: getExtendedPubkey,
  0x02: registerWallet,
  0x03: getWalletAddress,
  0x04: signPsbt,
  0x05: getMasterFingerprint,
  0x10: signMessage,
};

describe('command specs over the corpus', () => {
  for (const model of ['nanosp', 'flex'])
    for (const flow of [
      'app-version-and-fingerprint',
      'xpub-standard-silent',
      'xpub-nonstandard-silent-refused',
      'policy-tr-musig-2of2',
      'policy-wsh-sortedmulti-2of2',
      'sign-message-44h',
      'sign-psbt-wpkh',
      'sign-psbt-musig2-2of2',
    ])
      it(`${model}/${flow}: every E1 request and final response round-trips`, () => {
        for (const ex of loadExchanges(model, flow)) {
          const cmd = decodeCommand(ex.command);
          const res = decodeResponse(ex.response);
          if (cmd.cla === 0xb0) {
            expect(toHex(encodeCommand(GET_APP_AND_VERSION_APDU))).toBe(toHex(ex.command));
            const v = getAppAndVersion.decodeResponse(res.data);
            expect(v).toEqual({ name: 'Bitcoin Test', version: '2.4.6', flags: Uint8Array.of(0) });
            expect(toHex(getAppAndVersion.encodeResponse(v))).toBe(toHex(res.data));
            continue;
          }
          if (cmd.cla !== 0xe1) continue;
          const spec = SPECS[cmd.ins]!;
          const req = spec.decodeRequest(cmd.data);
          expect(toHex(encodeCommand(commandApdu(spec, req)))).toBe(toHex(ex.command));
          if (res.statusWord === 0x9000) {
            const out = spec.decodeResponse(res.data);
            expect(toHex(spec.encodeResponse(out) ?? new Uint8Array())).toBe(toHex(res.data));
          }
        }
      });

  it('GET_EXTENDED_PUBKEY decodes the path and the tpub', () => {
    const [ex] = loadExchanges('nanosp', 'xpub-standard-silent');
    const req = getExtendedPubkey.decodeRequest(decodeCommand(ex!.command).data);
    expect(req).toEqual({ display: false, path: parsePath("m/44'/1'/0'") });
    expect(getExtendedPubkey.decodeResponse(decodeResponse(ex!.response).data)).toBe(
      loadFlow('nanosp', 'xpub-standard-silent').results.xpubs["m/44'/1'/0'"],
    );
  });
});

describe('request decoders give the status words of errors-framing', () => {
  const flow = loadFlow('nanosp', 'errors-framing');
  const cases: { apdu: string; status_word: string; description: string }[] = flow.results.cases;
  for (const c of cases) {
    const cmd = (() => {
      try {
        return decodeCommand(fromHex(c.apdu));
      } catch {
        return undefined;
      }
    })();
    const spec = cmd && cmd.cla === 0xe1 ? SPECS[cmd.ins] : undefined;
    if (!spec) continue;
    it(`${c.description} -> ${c.status_word}`, () => {
      let sw = 0x9000;
      try {
        spec.decodeRequest(cmd!.data);
      } catch (err) {
        sw = requestErrorStatus(err);
      }
      // 6a86 (bad P2) is the dispatcher's, not the decoder's.
      if (c.status_word === '6a86') expect(sw).toBe(0x9000);
      else expect(sw.toString(16)).toBe(c.status_word === '9000' ? '9000' : c.status_word);
    });
  }
  it('truncation by Lc is the APDU decoder\'s CodecError (6a87)', () => {
    expect(() => decodeCommand(fromHex('e10000010e00038000005680000001800000'))).toThrow(CodecError);
  });
});

describe('other request checks', () => {
  it('GET_WALLET_ADDRESS: change 2 and a hardened index are 6a80, display 2 is accepted', () => {
    const ok = getWalletAddress.encodeRequest({ display: true, walletId: new Uint8Array(32), hmac: new Uint8Array(32), change: true, index: 7 });
    const bad = ok.slice();
    bad[65] = 2;
    expect(requestErrorStatus(catchErr(() => getWalletAddress.decodeRequest(bad)))).toBe(0x6a80);
    const hard = ok.slice();
    hard[66] = 0x80;
    expect(requestErrorStatus(catchErr(() => getWalletAddress.decodeRequest(hard)))).toBe(0x6a80);
    const disp = ok.slice();
    disp[0] = 2;
    expect(getWalletAddress.decodeRequest(disp).display).toBe(true);
  });

  it('SIGN_PSBT: 513 inputs is 6a82', () => {
    const req = {
      globalMap: { size: 5, keysRoot: new Uint8Array(32), valuesRoot: new Uint8Array(32) },
      inputCount: 513,
      inputsRoot: new Uint8Array(32),
      outputCount: 1,
      outputsRoot: new Uint8Array(32),
      walletId: new Uint8Array(32),
      hmac: new Uint8Array(32),
    };
    expect(requestErrorStatus(catchErr(() => signPsbt.decodeRequest(signPsbt.encodeRequest(req))))).toBe(0x6a82);
    expect(signPsbt.decodeRequest(signPsbt.encodeRequest({ ...req, inputCount: 512 }))).toEqual({ ...req, inputCount: 512 });
  });

  it('REGISTER_WALLET: a bad header is 6a80, a missing length 6a87', () => {
    expect(requestErrorStatus(catchErr(() => registerWallet.decodeRequest(fromHex('0303'))))).toBe(0x6a80);
    expect(requestErrorStatus(catchErr(() => registerWallet.decodeRequest(fromHex('0303aabb'))))).toBe(0x6a80);
    expect(requestErrorStatus(catchErr(() => registerWallet.decodeRequest(new Uint8Array())))).toBe(0x6a87);
  });

  it('wallet policy header V2 round-trips the corpus serialized policy', () => {
    const hex = loadFlow('nanosp', 'policy-tr-musig-2of2').inputs.serialized_policy as string;
    const h = decodeWalletPolicyHeader(fromHex(hex));
    expect(h.version).toBe(2);
    expect(h.name).toEqual(utf8.encode('Musig 2of2'));
    expect(toHex(encodeWalletPolicyHeader(h))).toBe(hex);
  });
});

describe('SIGN_PSBT yields', () => {
  it('decode the corpus MuSig2 pubnonce and partial signature and the wpkh signature', () => {
    for (const flow of ['sign-psbt-musig2-2of2', 'sign-psbt-wpkh']) {
      const json = loadFlow('nanosp', flow);
      const expected = [...(json.results.round1_yields ?? []), ...(json.results.round2_yields ?? []), ...(json.results.yields ?? [])];
      const got = loadExchanges('nanosp', flow)
        .map((e) => decodeResponse(e.response))
        .filter((r) => r.statusWord === 0xe000 && r.data[0] === 0x10)
        .map((r) => decodeClientCommandRequest(r.data))
        .map((r) => (r.command === 'YIELD' ? r.data : new Uint8Array()));
      expect(got.length).toBe(expected.length);
      got.forEach((data, i) => {
        const y = decodeSignPsbtYield(data);
        const e = expected[i];
        expect(y.inputIndex).toBe(e.input_index);
        if (y.type === 'musigPubNonce') expect(toHex(y.pubnonce)).toBe(e.pubnonce);
        else if (y.type === 'musigPartialSignature') expect(toHex(y.partialSignature)).toBe(e.partial_signature);
        else expect(toHex(y.signature)).toBe(e.signature);
        if (y.type !== 'partialSignature') {
          expect(toHex(y.participantPubkey)).toBe(e.participant_pubkey);
          expect(toHex(y.aggregatePubkey)).toBe(e.aggregate_pubkey);
        } else expect(toHex(y.pubkey)).toBe(e.pubkey);
        expect(toHex(encodeSignPsbtYield(y))).toBe(toHex(data));
      });
    }
  });

  it('script-path signatures split the 64-byte key into x-only key and leaf hash', () => {
    const y = { type: 'partialSignature' as const, inputIndex: 3, pubkey: new Uint8Array(32).fill(2), tapleafHash: new Uint8Array(32).fill(9), signature: new Uint8Array(64).fill(5) };
    expect(decodeSignPsbtYield(encodeSignPsbtYield(y))).toEqual(y);
    expect(() => decodeSignPsbtYield(fromHex('0021' + '00'.repeat(33)))).toThrow(/expected a signature/);
    expect(() => decodeSignPsbtYield(fromHex('fe00000100'))).toThrow(/input index or a MuSig2 tag/);
  });
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
