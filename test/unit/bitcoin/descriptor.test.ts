import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkTemplate, expandPolicy, parsePolicy } from '../../../bitcoin/descriptor/template.ts';
import { parseDescriptor, parseTemplate } from '../../../bitcoin/descriptor/parser.ts';
import { formatDescriptor } from '../../../bitcoin/descriptor/format.ts';
import { descriptorChecksum } from '../../../bitcoin/descriptor/checksum.ts';
import { DescriptorError } from '../../../bitcoin/errors.ts';
import { checkLedgerLimits } from '../../../bitcoin/descriptor/ledger-limits.ts';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../vectors/bips/${name}`, import.meta.url), 'utf8'));
const bip388 = load('bip-0388-test-vectors.json') as {
  valid: { comment: string; descriptor_template: string; keys_info: string[]; descriptor: string }[];
  invalid: { descriptor_template: string; reason: string }[];
};
const bip390 = load('bip-0390-test-vectors.json') as {
  valid: { descriptor: string }[];
  invalid: { descriptor: string; reason: string }[];
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect((e as Error).name).toBe('DescriptorError');
    return (e as DescriptorError).rule;
  }
  throw new Error('expected a DescriptorError, nothing was thrown');
}

describe('BIP-388 vectors', () => {
  it.each(bip388.valid)('valid: $comment', (v) => {
    const policy = parsePolicy(v.descriptor_template, v.keys_info);
    expect(expandPolicy(policy)).toBe(v.descriptor);
    expect(formatDescriptor(policy.ast)).toBe(v.descriptor_template);
    // the expanded descriptor is itself a valid descriptor
    expect(formatDescriptor(parseDescriptor(v.descriptor))).toBe(v.descriptor);
  });

  const expectedCodes = [
    'placeholder', // pkh(@0)
    'placeholder', // pkh(@0/0/**)
    'placeholder-order',
    'placeholder-skipped',
    'placeholder-repeated',
    'placeholder-repeated',
    'key-not-placeholder',
    'placeholder',
    'musig-derivation',
  ];
  it.each(bip388.invalid.map((v, i) => ({ ...v, code: expectedCodes[i]! })))('invalid: $reason', (v) => {
    expect(codeOf(() => checkTemplate(v.descriptor_template))).toBe(v.code);
  });
});

describe('BIP-390 vectors', () => {
  it.each(bip390.valid)('valid: $descriptor', (v) => {
    expect(formatDescriptor(parseDescriptor(v.descriptor))).toBe(v.descriptor.replace(/(\d)h/g, "$1'"));
  });
  const expectedCodes = [
    ...Array(8).fill('musig-context'),
    ...Array(6).fill('musig-derivation'),
  ] as string[];
  expectedCodes[3] = 'musig-context'; // combo(musig(...)): the musig() is refused before combo() is
  it.each(bip390.invalid.map((v, i) => ({ ...v, code: expectedCodes[i]! })))('invalid: $reason', (v) => {
    expect(codeOf(() => parseDescriptor(v.descriptor))).toBe(v.code);
  });
});

describe('template language of the Ledger app', () => {
  it.each([
    'sh(wpkh(@0/**))',
    'sh(wsh(sortedmulti(2,@0/**,@1/**)))',
    'sh(multi(1,@0/<2;3>/*,@1/**))',
    'tr(@0/**,{pk(@1/**),{multi_a(1,@0/<2;3>/*,@2/**),and_v(v:pk(@1/<2;3>/*),after(800000))}})',
    'wsh(andor(pk(@0/**),older(144),or_i(pk(@1/**),pkh(@2/**))))',
    'wsh(or_d(multi(2,@0/**,@1/**),and_v(v:pkh(@2/**),older(1000))))',
    'tr(musig(@0,@1)/**,and_v(v:pk(@2/**),older(144)))',
    'wsh(thresh(2,pk(@0/**),s:pk(@1/**),sln:after(1000)))',
    'wsh(and_v(v:sha256(0000000000000000000000000000000000000000000000000000000000000001),pk(@0/**)))',
  ])('accepts %s', (t) => {
    const c = checkTemplate(t);
    expect(formatDescriptor(c.ast)).toBe(t);
  });

  it.each([
    ['wpkh(musig(@0,@1)/**)', 'musig-context'],
    ['wsh(multi_a(1,@0/**))', 'context'],
    ['tr(@0/**,multi(1,@1/**))', 'context'],
    ['wsh(wpkh(@0/**))', 'context'],
    ['tr(@0/**,wsh(pk(@1/**)))', 'context'],
    ['sh(sh(wpkh(@0/**)))', 'context'],
    ['wsh(pk_k(@0/**))', 'type'], // K at top level
    ['wsh(and_v(pk(@0/**),pk(@1/**)))', 'type'], // first argument must be V
    ['wsh(thresh(2,pk(@0/**),pk(@1/**)))', 'type'], // second argument must be W
    ['wsh(older(0))', 'number'],
    ['wsh(multi(3,@0/**,@1/**))', 'number'],
    ['pkh(@0/<1;1>/*)', 'derivation'],
    ['pkh(@0/<0h;1>/*)', 'placeholder'],
    ['pkh(@01/**)', 'number'],
    ['tr(musig(@0,@0)/**)', 'placeholder-repeated'],
    ['tr(musig(@0,@1)/**,pk(musig(@1,@0)/**))', 'placeholder-repeated'],
    ['tr(musig(@0,@1))', 'placeholder'],
    ['foo(@0/**)', 'unknown-fragment'],
    ['pkh(@0/**', 'syntax'],
    ['pkh(@0/**))', 'syntax'],
  ])('refuses %s (%s)', (t, code) => {
    expect(codeOf(() => checkTemplate(t))).toBe(code);
  });

  it('allows the same musig() set with disjoint <M;N>, as a key path and a leaf', () => {
    expect(checkTemplate('tr(musig(@0,@1)/**,pk(musig(@1,@0)/<2;3>/*))').keys).toEqual([
      { indexes: [0, 1], musig: true, receive: 0, change: 1 },
      { indexes: [1, 0], musig: true, receive: 2, change: 3 },
    ]);
  });

  it('refuses a key-information vector of the wrong size or mixed networks', () => {
    const [a, b] = bip388.valid[4]!.keys_info;
    expect(codeOf(() => parsePolicy('wsh(sortedmulti(2,@0/**,@1/**))', [a!]))).toBe('keys-count');
    const tpub =
      '[f5acc2fd/48\'/1\'/0\'/2\']tpubDFAqEGNyad35aBCKUAXbQGDjdVhNueno5ZZVEn3sQbW5ci457gLR7HyTmHBg93oourBssgUxuWz1jX5uhc1qaqFo9VsybY1J5FuedLfm4dK';
    expect(codeOf(() => parsePolicy('wsh(sortedmulti(2,@0/**,@1/**))', [tpub, b!]))).toBe('key');
  });

  it('parses templates and descriptors as different languages', () => {
    expect(codeOf(() => parseDescriptor('pkh(@0/**)'))).toBe('syntax');
    expect(codeOf(() => parseTemplate('pk(@0/**)'))).toBe('context');
  });
});

describe('descriptor checksum (BIP-380)', () => {
  // from BIP-380's examples
  it('computes and verifies', () => {
    const d = 'raw(deadbeef)';
    expect(descriptorChecksum(d)).toBe('89f8spxm');
    const pk = 'pk(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)';
    expect(parseDescriptor(`${pk}#gn28ywm7`)).toBeDefined();
    expect(codeOf(() => parseDescriptor(`${pk}#gn28ywm8`))).toBe('syntax');
  });
});

describe('Ledger app limits', () => {
  const check = (t: string) => checkLedgerLimits(t, checkTemplate(t));
  it('accepts what the app accepts', () => {
    expect(() => check('tr(musig(@0,@1,@2,@3,@4)/**)')).not.toThrow();
    expect(() => check(`tr(@0/**,${Array.from({ length: 8 }, (_, i) => `{pk(@${i + 1}/**),`).join('')}pk(@9/**)${'}'.repeat(8)})`)).not.toThrow();
    expect(() => check(`wsh(multi(1,${Array.from({ length: 15 }, (_, i) => `@${i}/**`).join(',')}))`)).not.toThrow();
  });
  it.each([
    ['tr(musig(@0,@1,@2,@3,@4,@5)/**)', /musig\(\): expected at most 5 keys, got 6/],
    [`wsh(multi(1,${Array.from({ length: 16 }, (_, i) => `@${i}/**`).join(',')}))`, /keys: expected at most 15, got 16/],
    [`tr(@0/**,${Array.from({ length: 10 }, (_, i) => `{pk(@${i + 1}/**),`).join('')}pk(@11/**)${'}'.repeat(10)})`, /taptree: expected leaves at depth at most 8, got 10/],
    // wallet.c parse_tree counts the tree as depth 1: leaves under 9 branches exceed its limit of 9.
    [`tr(@0/**,${Array.from({ length: 9 }, (_, i) => `{pk(@${i + 1}/**),`).join('')}pk(@10/**)${'}'.repeat(9)})`, /taptree: expected leaves at depth at most 8, got 9/],
  ])('refuses %s', (t, msg) => {
    expect(() => check(t)).toThrow(msg);
    expect(codeOf(() => check(t))).toBe('limit');
  });
});
