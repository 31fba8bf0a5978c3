import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseDescriptor } from '../../../bitcoin/descriptor/parser.ts';
import { parsePolicy } from '../../../bitcoin/descriptor/template.ts';
import { deriveOutput, policyOutput } from '../../../bitcoin/descriptor/scripts.ts';
import { buildTaptree, controlBlock, taprootOutput, type TapTreeShape } from '../../../bitcoin/taptree.ts';
import { addressOf } from '../../../bitcoin/descriptor/scripts.ts';
import { NETWORKS } from '../../../bitcoin/networks.ts';
import { fromHex, toHex } from '../../../apdu/bytes.ts';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../vectors/${name}`, import.meta.url), 'utf8'));

describe('BIP-390 scriptPubKeys (children 0..2)', () => {
  const v = load('bips/bip-0390-test-vectors.json') as { valid: { descriptor: string; scripts: string[] }[] };
  it.each(v.valid)('$descriptor', ({ descriptor, scripts }) => {
    const d = parseDescriptor(descriptor);
    scripts.forEach((spk, index) => {
      expect(toHex(deriveOutput(d, { branch: 0, index }).scriptPubKey)).toBe(spk);
    });
  });
});

type TreeJson = { id: number; script: string; leafVersion: number } | TreeJson[];
function shape(t: TreeJson): TapTreeShape {
  if (Array.isArray(t)) return [shape(t[0]!), shape(t[1]!)];
  return { script: fromHex(t.script), version: t.leafVersion };
}

describe('BIP-341 wallet vectors: scriptPubKey', () => {
  const v = load('bips/bip-0341/wallet-test-vectors.json') as {
    scriptPubKey: {
      given: { internalPubkey: string; scriptTree: TreeJson | null };
      intermediary: { leafHashes?: string[]; merkleRoot: string | null; tweak: string; tweakedPubkey: string };
      expected: { scriptPubKey: string; bip350Address: string; scriptPathControlBlocks?: string[] };
    }[];
  };
  it.each(v.scriptPubKey.map((c, i) => ({ i, ...c })))('case $i', ({ given, intermediary, expected }) => {
    const tree = given.scriptTree ? buildTaptree(shape(given.scriptTree)) : undefined;
    if (tree) {
      // the vectors list leaf hashes by leaf id, which is the left-to-right order here
      expect(tree.leaves.map((l) => toHex(l.leafHash))).toEqual(intermediary.leafHashes);
      expect(toHex(tree.root)).toBe(intermediary.merkleRoot);
    }
    const out = taprootOutput(fromHex(given.internalPubkey), tree?.root);
    expect(toHex(out.tweak)).toBe(intermediary.tweak);
    expect(toHex(out.outputKey)).toBe(intermediary.tweakedPubkey);
    const spk = fromHex(`5120${toHex(out.outputKey)}`);
    expect(toHex(spk)).toBe(expected.scriptPubKey);
    expect(addressOf(spk, NETWORKS.mainnet)).toBe(expected.bip350Address);
    if (tree) expect(tree.leaves.map((l) => toHex(controlBlock(out, l)))).toEqual(expected.scriptPathControlBlocks);
  });
});

describe('addresses recorded from the Ledger Bitcoin app 2.4.6 (Speculos, default seed)', () => {
  const flows = ['policy-wsh-sortedmulti-2of2', 'policy-tr-key-plus-pk-leaf', 'policy-tr-musig-2of2'];
  for (const model of ['nanosp', 'flex'])
    it.each(flows)(`${model}: %s`, (flow) => {
      const rec = load(`speculos-corpus/${model}/${flow}.json`) as {
        inputs: { descriptor_template: string; keys_info: string[] };
        results: { addresses: Record<string, string> };
      };
      const policy = parsePolicy(rec.inputs.descriptor_template, rec.inputs.keys_info);
      const entries = Object.entries(rec.results.addresses);
      expect(entries.length).toBe(4);
      for (const [at, address] of entries) {
        const [change, index] = at.split('/').map(Number) as [number, number];
        expect(policyOutput(policy, change === 1, index).address).toBe(address);
      }
    });
});

describe('networks', () => {
  const spk = fromHex('0014751e76e8199196d454941c45d1b3a323f1433bd6');
  it.each([
    ['mainnet', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'],
    ['testnet', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx'],
    ['signet', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx'],
    ['regtest', 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080'],
  ] as const)('%s', (net, addr) => {
    expect(addressOf(spk, NETWORKS[net])).toBe(addr);
  });
});
