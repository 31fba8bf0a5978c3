// `taproot-hw tapd ...` end to end over the in-process emulator seeded with the mnemonic of tapd's
// docs/external-group-key.md: the printed flags are the document's, and the printed signed PSBT
// carries a signature that verifies against the document's tweaked group key.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { base64 } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { fromHex } from '../../apdu/bytes.ts';
import { main } from '../../cli/main.ts';
import { parseGroupVirtualPsbt } from '../../host/tapd/group-psbt.ts';
import { defaultPolicyStorePath } from '../../cli/policy-store-file.ts';
import { docs } from '../unit/tapd/fixtures.ts';

const FUND = new URL('../vectors/tapd-docs/fund-response-tranche1.json', import.meta.url).pathname;

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['--transport', 'emulator', '--seed', docs.mnemonic, ...argv], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out, err };
}

function expectVerifies(signedB64: string) {
  const g = parseGroupVirtualPsbt(base64.decode(signedB64));
  const sig = g.tx.getInput(0).tapKeySig!;
  expect(schnorr.verify(sig, g.sighash, fromHex(docs.tweakedGroupKey).subarray(1))).toBe(true);
}

describe('taproot-hw tapd group-key', () => {
  it('prints the exact tapcli flags of the document (Bitcoin app)', async () => {
    const r = await run('tapd', 'group-key', '--network', 'regtest');
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      `--group_key_xpub ${docs.accountXpub} \\\n--group_key_derivation_path "${docs.groupKeyDerivationPath}" \\\n--group_key_fingerprint ${docs.masterFingerprint}`,
    ]);
    expect(r.err.join('\n')).toContain(docs.groupInternalKey);
  });

  it('--json through the Taproot Assets app', async () => {
    const r = await run('--json', 'tapd', 'group-key', '--network', 'regtest', '--app', 'tap');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0]!)).toMatchObject({
      app: 'tap',
      fingerprint: docs.masterFingerprint,
      xpub: docs.accountXpub,
      derivationPath: docs.groupKeyDerivationPath,
      internalKey: docs.groupInternalKey,
    });
  });

  it('--network mainnet gives an xpub at m/86\'/0\'/0\'', async () => {
    const r = await run('--json', 'tapd', 'group-key', '--network', 'mainnet', '--index', '2');
    expect(JSON.parse(r.out[0]!)).toMatchObject({ accountPath: "m/86'/0'/0'", derivationPath: "m/86'/0'/0'/0/2", xpub: expect.stringMatching(/^xpub/) });
  });

  it('a wrong --network for the open app is a typed error', async () => {
    const r = await run('--app', 'bitcoin-test', 'tapd', 'group-key', '--network', 'mainnet');
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toMatch(/WrongNetworkError: --network mainnet needs the "Bitcoin" app/);
  });
});

describe('taproot-hw tapd sign-group-psbt', () => {
  it('signs the document\'s group_virtual_psbt with the Bitcoin app, registering once (HMAC in --store)', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'tapd-')), 'policies.json');
    const r = await run('tapd', 'sign-group-psbt', docs.tranche1.groupVirtualPsbt, '--store', store);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expectVerifies(r.out[0]!);
    expect(r.err.some((l) => l.startsWith('registering wallet policy "tapd group b283955acc482b1a" tr(@0/**,pk(@1/**))'))).toBe(true);
    const doc = JSON.parse(readFileSync(store, 'utf8'));
    expect(Object.keys(doc.policies)).toEqual([expect.stringMatching(/^10608bb9:[0-9a-f]{64}$/)]);
    const again = await run('--json', 'tapd', 'sign-group-psbt', docs.tranche1.groupVirtualPsbt, '--store', store);
    expect(again.err.some((l) => l.startsWith('registering'))).toBe(false);
    expect(JSON.parse(again.out[0]!).policy.registered).toBe(false);
  });

  it('signs from the fund response with the Taproot Assets app', async () => {
    const r = await run('--json', 'tapd', 'sign-group-psbt', '--fund-response', FUND, '--app', 'tap');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out[0]!);
    expect(res).toMatchObject({ name: 'asset-tranche1', assetId: docs.tranche1.assetId, amount: '500000000', app: 'tap', groupKey: docs.tweakedGroupKey, groupKeyVersion: 1 });
    expectVerifies(res.signedGroupPsbt);
  });

  it('refuses what is not a group virtual PSBT, and a --network that disagrees with the PSBT', async () => {
    const notPsbt = await run('tapd', 'sign-group-psbt', 'cHNidP8BAAoCAAAAAAAAAAAAAA==');
    expect(notPsbt.code).toBe(1);
    expect(notPsbt.err.at(-1)).toMatch(/NotGroupVirtualPsbtError: not a group virtual PSBT: /);
    const net = await run('tapd', 'sign-group-psbt', docs.tranche1.groupVirtualPsbt, '--network', 'mainnet');
    expect(net.err.at(-1)).toMatch(/WrongNetworkError/);
  });

  it('the default store is under $XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultPolicyStorePath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/taproot-hw/tapd-policies.json');
    expect(defaultPolicyStorePath({ HOME: '/home/p' })).toBe('/home/p/.config/taproot-hw/tapd-policies.json');
  });
});
