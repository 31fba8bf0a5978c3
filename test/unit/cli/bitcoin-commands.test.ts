// The Bitcoin-app commands as cli/main runs them, against the in-process emulator (reviews approved
// by itself), with the answers real Speculos gave for the same seed (test/vectors/speculos-corpus):
// the fingerprint, a deterministic ECDSA message signature, a registration's id, HMAC and
// addresses, and a wpkh PSBT signature.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';

const corpus = (flow: string) => JSON.parse(readFileSync(new URL(`../../vectors/speculos-corpus/nanosp/${flow}.json`, import.meta.url), 'utf8'));

async function cli(argv: string[]): Promise<any> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['--transport', 'emulator', '--json', ...argv], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  expect({ code, err: err.filter((l) => !l.includes('reviews are approved automatically')) }).toEqual({ code: 0, err: [] });
  expect(out).toHaveLength(1);
  return JSON.parse(out[0]!);
}

describe('Bitcoin app commands over --transport emulator', () => {
  it('fingerprint', async () => {
    expect(await cli(['fingerprint'])).toEqual({ fingerprint: corpus('app-version-and-fingerprint').results.master_fingerprint });
  });

  it('sign-message: the signature real Speculos gave', async () => {
    const flow = corpus('sign-message-44h');
    expect(await cli(['sign-message', flow.inputs.message, '--path', flow.inputs.path])).toEqual({ signature: flow.results.signature_base64 });
  });

  it('register, then address with the HMAC: id, HMAC and addresses as real Speculos gave them', async () => {
    const flow = corpus('policy-wsh-sortedmulti-2of2');
    const policy = ['--name', flow.inputs.wallet_name, '--policy', flow.inputs.descriptor_template, ...flow.inputs.keys_info.flatMap((k: string) => ['--key', k])];
    expect(await cli(['register', ...policy])).toEqual({ id: flow.results.wallet_id, hmac: flow.results.hmac, address: flow.results.addresses['0/0'] });
    expect(await cli(['address', ...policy, '--hmac', flow.results.hmac, '--index', '1'])).toEqual({ address: flow.results.addresses['0/1'] });
    expect(await cli(['address', ...policy, '--hmac', flow.results.hmac, '--change'])).toEqual({ address: flow.results.addresses['1/0'] });
  });

  it('sign-psbt: the wpkh signature real Speculos gave, written into the PSBT', async () => {
    const flow = corpus('sign-psbt-wpkh');
    const [y] = flow.results.yields;
    const r = await cli(['sign-psbt', flow.inputs.psbt_base64, '--policy', flow.inputs.wallet_policy.descriptor_template, '--key', flow.inputs.wallet_policy.keys_info[0]]);
    expect(r.results).toEqual([{ type: 'partialSignature', inputIndex: y.input_index, pubkey: y.pubkey, signature: y.signature }]);
    expect(Buffer.from(r.psbt, 'base64').toString('hex')).toContain(y.signature);
  });

  it('a malformed --hmac or PSBT is a usage error (exit 2) naming what was wrong, before any device is opened', async () => {
    const err: string[] = [];
    const io = { stdout: () => {}, stderr: (l: string) => err.push(l) };
    expect(await main(['--transport', 'emulator', 'address', '--policy', 'wpkh(@0/**)', '--key', 'k', '--hmac', 'zz'], io)).toBe(2);
    expect(await main(['--transport', 'emulator', 'sign-psbt', 'not-a-psbt', '--policy', 'wpkh(@0/**)', '--key', 'k'], io)).toBe(2);
    expect(err).toEqual([
      expect.stringMatching(/^taproot-hw address: .*--hmac: expected 64 hex digits, got "zz"; usage: address --policy /),
      expect.stringMatching(/^taproot-hw sign-psbt: .*PSBT argument: expected a PSBT as base64, hex or a file path; usage: sign-psbt PSBT /),
    ]);
  });
});
