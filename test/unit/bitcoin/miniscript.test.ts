import { describe, expect, it } from 'vitest';
import { Script } from '@scure/btc-signer';
import { parseDescriptor } from '../../../bitcoin/descriptor/parser.ts';
import { deriveOutput } from '../../../bitcoin/descriptor/scripts.ts';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { ripemd160 } from '@noble/hashes/legacy.js';

// Two fixed keys; the expected scripts are BIP-379's translation table written out by hand
// (numbers above 16 appear as their minimal little-endian pushes, e.g. 144 -> 9000).
const A = '02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9';
const B = '03dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659';
const XA = A.slice(2);
const XB = B.slice(2);

function asm(desc: string, which: 'witness' | 'leaf'): string {
  const out = deriveOutput(parseDescriptor(desc), { branch: 0, index: 0 });
  const s = which === 'witness' ? out.witnessScript! : out.taproot!.tree!.leaves[0]!.script;
  return Script.decode(s)
    .map((e) => (e instanceof Uint8Array ? toHex(e) : String(e)))
    .join(' ');
}

describe('miniscript -> script (BIP-379 table)', () => {
  it.each([
    [`wsh(pk(${A}))`, `${A} CHECKSIG`],
    [`wsh(or_d(pk(${A}),and_v(v:pk(${B}),older(144))))`, `${A} CHECKSIG IFDUP NOTIF ${B} CHECKSIGVERIFY 9000 CHECKSEQUENCEVERIFY ENDIF`],
    [`wsh(andor(pk(${A}),after(500000),pk(${B})))`, `${A} CHECKSIG NOTIF ${B} CHECKSIG ELSE 20a107 CHECKLOCKTIMEVERIFY ENDIF`],
    [`wsh(or_i(pk(${A}),and_v(v:pk(${B}),older(10))))`, `IF ${A} CHECKSIG ELSE ${B} CHECKSIGVERIFY 10 CHECKSEQUENCEVERIFY ENDIF`],
    [`wsh(thresh(2,pk(${A}),s:pk(${B}),sln:older(12960)))`,
      `${A} CHECKSIG SWAP ${B} CHECKSIG ADD SWAP IF 0 ELSE a032 CHECKSEQUENCEVERIFY 0NOTEQUAL ENDIF ADD 2 EQUAL`],
    [`wsh(multi(1,${B},${A}))`, `1 ${B} ${A} 2 CHECKMULTISIG`],
    [`wsh(sortedmulti(1,${B},${A}))`, `1 ${A} ${B} 2 CHECKMULTISIG`],
    [`wsh(and_b(pk(${A}),a:pk(${B})))`, `${A} CHECKSIG TOALTSTACK ${B} CHECKSIG FROMALTSTACK BOOLAND`],
    [`wsh(c:pk_h(${A}))`, `DUP HASH160 ${toHex(ripemd160(sha256(fromHex(A))))} EQUALVERIFY CHECKSIG`],
    [`wsh(and_v(v:sha256(${'ab'.repeat(32)}),pk(${A})))`, `SIZE 20 EQUALVERIFY SHA256 ${'ab'.repeat(32)} EQUALVERIFY ${A} CHECKSIG`],
  ])('%s', (desc, expected) => {
    expect(asm(desc, 'witness')).toBe(expected);
  });

  it.each([
    [`tr(${XA},multi_a(2,${XB},${XA}))`, `${XB} CHECKSIG ${XA} CHECKSIGADD 2 NUMEQUAL`],
    [`tr(${XA},sortedmulti_a(2,${XA},${XB}))`, `${XB} CHECKSIG ${XA} CHECKSIGADD 2 NUMEQUAL`],
    [`tr(${XA},and_v(v:pk(${XB}),older(12960)))`, `${XB} CHECKSIGVERIFY a032 CHECKSEQUENCEVERIFY`],
  ])('%s', (desc, expected) => {
    expect(asm(desc, 'leaf')).toBe(expected);
  });
});
