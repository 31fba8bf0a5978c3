import { describe, expect, it } from 'vitest';
import { mnemonicToSeedSync } from '@scure/bip39';
import { HDKey } from '@scure/bip32';
import { toHex } from '../../../apdu/bytes.ts';
import {
  isDefaultWalletPolicy,
  keysTree,
  policyNameProblem,
  serializeWalletPolicy,
  slip21Key,
  verifyWalletPolicyHmac,
  walletPolicy,
  walletPolicyHmac,
  walletPolicyId,
} from '../../../bitcoin/wallet-policy.ts';
import { loadFlow } from '../apdu-bitcoin-app/corpus.ts';

const FLOWS = ['policy-tr-musig-2of2', 'policy-wsh-sortedmulti-2of2', 'policy-tr-key-plus-pk-leaf'];

function policyOf(inputs: any) {
  const p = inputs.wallet_policy;
  return p
    ? walletPolicy(p.name, p.descriptor_template, p.keys_info)
    : walletPolicy(inputs.wallet_name, inputs.descriptor_template, inputs.keys_info);
}

describe('wallet policy serialization, id and registration HMAC against the real device', () => {
  for (const model of ['nanosp', 'flex'])
    for (const flow of FLOWS)
      it(`${model}/${flow}`, () => {
        const json = loadFlow(model, flow);
        const policy = policyOf(json.inputs);
        expect(toHex(serializeWalletPolicy(policy))).toBe(json.inputs.serialized_policy);
        const id = walletPolicyId(policy);
        expect(toHex(id)).toBe(json.results.wallet_id);
        const seed = mnemonicToSeedSync(json.seed);
        expect(toHex(walletPolicyHmac(seed, id))).toBe(json.results.hmac);
        expect(verifyWalletPolicyHmac(seed, id, walletPolicyHmac(seed, id))).toBe(true);
        expect(verifyWalletPolicyHmac(mnemonicToSeedSync('abandon '.repeat(11) + 'about'), id, walletPolicyHmac(seed, id))).toBe(false);
      });

  it('the keys tree has the UTF-8 key strings as leaves', () => {
    const json = loadFlow('nanosp', 'policy-tr-musig-2of2');
    const policy = policyOf(json.inputs);
    expect(keysTree(policy).size).toBe(2);
  });
});

describe('SLIP-21', () => {
  // SLIP-0021 test vector: seed of "all all all all all all all all all all all all", label "SLIP-0021".
  it('matches the SLIP-0021 test vectors', () => {
    const seed = mnemonicToSeedSync('all all all all all all all all all all all all');
    expect(toHex(slip21Key(seed, ['SLIP-0021']))).toBe('1d065e3ac1bbe5c7fad32cf2305f7d709dc070d672044a19e610c77cdf33de0d');
    expect(toHex(slip21Key(seed, ['SLIP-0021', 'Master encryption key']))).toBe('ea163130e35bbafdf5ddee97a17b39cef2be4b4f390180d65b54cf05c6a82fde');
    expect(toHex(slip21Key(seed, ['SLIP-0021', 'Authentication key']))).toBe('47194e938ab24cc82bfa25f6486ed54bebe79c40ae2a5a32ea6db294d81861a6');
  });
});

describe('default wallet rules (policy.c is_wallet_policy_standard)', () => {
  const json = loadFlow('nanosp', 'sign-psbt-wpkh');
  const seed = mnemonicToSeedSync(json.seed);
  const master = HDKey.fromMasterSeed(seed, { private: 0x04358394, public: 0x043587cf });
  const ctx = {
    coinType: 1,
    masterFingerprint: master.fingerprint,
    isOwnKey: (path: readonly number[], xpub: string) => master.derive('m/' + path.map((n) => `${n - 0x80000000}'`).join('/')).publicExtendedKey === xpub,
  };
  const key = json.inputs.wallet_policy.keys_info[0] as string;

  it('accepts the corpus wpkh default wallet, refuses variations', () => {
    expect(isDefaultWalletPolicy(walletPolicy('', 'wpkh(@0/**)', [key]), ctx)).toBe(true);
    expect(isDefaultWalletPolicy(walletPolicy('', 'wpkh(@0/<0;1>/*)', [key]), ctx)).toBe(true);
    expect(isDefaultWalletPolicy(walletPolicy('', 'tr(@0/**)', [key]), ctx)).toBe(false); // purpose 84 under tr
    expect(isDefaultWalletPolicy(walletPolicy('', 'wpkh(@0/**)', [key]), { ...ctx, coinType: 0 })).toBe(false);
    expect(isDefaultWalletPolicy(walletPolicy('', 'wpkh(@0/**)', [key.replace('f5acc2fd', '73c5da0a')]), ctx)).toBe(false);
    const other = master.derive("m/84'/1'/1'").publicExtendedKey;
    expect(isDefaultWalletPolicy(walletPolicy('', 'wpkh(@0/**)', [`[f5acc2fd/84'/1'/0']${other}`]), ctx)).toBe(false);
    const acct101 = master.derive("m/84'/1'/101'").publicExtendedKey;
    expect(isDefaultWalletPolicy(walletPolicy('', 'wpkh(@0/**)', [`[f5acc2fd/84'/1'/101']${acct101}`]), ctx)).toBe(false);
  });

  it('name rules', () => {
    expect(policyNameProblem('Musig 2of2')).toBeUndefined();
    expect(policyNameProblem('')).toMatch(/1\.\.64/);
    expect(policyNameProblem(' x')).toMatch(/leading/);
    expect(policyNameProblem('é')).toMatch(/ASCII/);
    expect(policyNameProblem('x'.repeat(65))).toMatch(/got 65/);
  });
});
