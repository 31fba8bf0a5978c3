// Asset script keys with multisig shapes (issue 5), spent end to end: the shape compiled by
// bitcoin/shapes, the spend orchestrated by host/musig2 with emulated Taproot Assets devices and
// software keys, over the virtual-transaction sighash of assets/vtx. Every witness is then checked
// by the asset VM port (assets/vtx/verify.ts: control block, tapscript, signatures, lock times);
// the CHECKSIGADD leaf, whose opcodes that port does not run, is checked signature by signature.

import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { concat, equal } from '../../apdu/bytes.ts';
import { liftX, tapBranchHash, tapLeafHash, taprootTweak } from '../../assets/crypto.ts';
import { shapeOutput } from '../../bitcoin/shapes/output.ts';
import { planShape, type ShapeSpec } from '../../bitcoin/shapes/plan.ts';
import { SoftwareSigner, TapAppMusigSigner, shapeSpendPaths, spendShape, type ShapeSpendPath } from '../../host/musig2/index.ts';
import { SEEDS, inputAsset, softwareKey, tapDevice, transfer } from './helpers.ts';

const PATH = "m/1017'/1'/212'/0/0";
const RECIPIENT = softwareKey(SEEDS.legal, "m/1017'/1'/212'/0/50").publicKey!;
const CSV = 144;

async function participants() {
  const deviceA = await TapAppMusigSigner.open(tapDevice().client, PATH, { name: 'device A' });
  const deviceB = await TapAppMusigSigner.open(tapDevice({ seed: SEEDS.legal }).client, PATH, { name: 'device B' });
  const soft = (seed: string, path: string, name: string) => new SoftwareSigner(softwareKey(seed, path).privateKey!, name);
  return {
    deviceA,
    deviceB,
    softB: soft(SEEDS.abandon, PATH, 'software B'),
    softC: soft(SEEDS.abandon, "m/1017'/1'/212'/0/1", 'software C'),
    recovery: soft(SEEDS.abandon, "m/1017'/1'/212'/0/99", 'recovery R'),
  };
}

/** Checks a script-path witness by hand: control block commits to the leaf, each signature verifies. */
function checkChecksigadd(witness: Uint8Array[], outputKey: Uint8Array, keysInScript: Uint8Array[], msg: Uint8Array) {
  const control = witness[witness.length - 1]!;
  const script = witness[witness.length - 2]!;
  let node = tapLeafHash(script, control[0]! & 0xfe);
  for (let o = 33; o < control.length; o += 32) node = tapBranchHash(node, control.subarray(o, o + 32));
  const q = taprootTweak(liftX(control.subarray(1, 33), 'internal'), node).toBytes(true);
  expect(equal(q.subarray(1), outputKey)).toBe(true);
  expect(q[0]! & 1).toBe(control[0]! & 1);
  const sigs = witness.slice(0, -2).reverse();
  expect(sigs).toHaveLength(keysInScript.length);
  let valid = 0;
  sigs.forEach((sig, i) => {
    if (sig.length === 0) return;
    expect(schnorr.verify(sig, msg, keysInScript[i]!)).toBe(true);
    valid++;
  });
  return valid;
}

/**
 * Spends every path of the shape once. `checksigaddKeys` picks the fallback's signers: the device
 * app signs MuSig2 only (no plain script-path signature command), so they are software keys.
 */
async function spendEveryPath(
  spec: ShapeSpec,
  signerKeys: (s: Awaited<ReturnType<typeof participants>>) => (TapAppMusigSigner | SoftwareSigner)[],
  checksigaddKeys?: number[],
) {
  const p = await participants();
  const signers = signerKeys(p);
  const keys = signers.map((s) => s.publicKey);
  const plan = planShape(spec);
  const output = shapeOutput(plan, { keys: keys.map((publicKey) => ({ publicKey, chainCode: new Uint8Array(32) })) });
  const scriptKey = concat(Uint8Array.of(output.output.parity ? 3 : 2), output.output.outputKey);
  const spent: ShapeSpendPath[] = [];
  for (const each of shapeSpendPaths(plan)) {
    const path: ShapeSpendPath = each.kind === 'checksigadd' && checksigaddKeys ? { kind: 'checksigadd', keys: checksigaddKeys } : each;
    const input = inputAsset(scriptKey, 5000n);
    const t = transfer(input, RECIPIENT, path.kind === 'recovery' ? { relativeLockTime: BigInt(CSV) } : {});
    const { witness, leaf } = await spendShape({ plan, output, keys, path, sighash: t.sighash, signers });
    if (path.kind === 'checksigadd') {
      const inScript = keys.slice(0, spec.signers).map((k) => k.subarray(1));
      expect(checkChecksigadd(witness, output.output.outputKey, inScript, t.sighash({ script: leaf!.script, version: leaf!.version }))).toBe(path.keys.length);
    } else t.verify(witness);
    spent.push(path);
  }
  return { plan, output, keys, signers, spent };
}

describe('asset script keys with multisig shapes, spent by emulated devices and software keys', () => {
  it('N-of-N: a 2-of-2 MuSig2 script key (device + software) by key path', async () => {
    const { spent } = await spendEveryPath({ signers: 2, threshold: { kind: 'all' } }, (p) => [p.deviceA, p.softB]);
    expect(spent).toEqual([{ kind: 'key-path' }]);
  });

  it('K-of-N 2-of-3 under NUMS: every MuSig2 leaf, the CHECKSIGADD fallback and the timelocked recovery leaf', async () => {
    const spec: ShapeSpec = {
      signers: 3,
      threshold: { kind: 'k-of-n', k: 2 },
      checksigaddFallback: { k: 2 },
      recovery: { keys: 1, k: 1, timelock: { older: CSV } },
    };
    const { plan, output, keys, signers, spent } = await spendEveryPath(spec, (p) => [p.deviceA, p.softB, p.softC, p.recovery], [1, 2]);
    expect(spent).toEqual([
      { kind: 'leaf', keys: [0, 1] },
      { kind: 'leaf', keys: [0, 2] },
      { kind: 'leaf', keys: [1, 2] },
      { kind: 'checksigadd', keys: [1, 2] },
      { kind: 'recovery', keys: [3] },
    ]);
    // the key path is the NUMS point H: there is no key to sign with
    const t = transfer(inputAsset(concat(Uint8Array.of(2), output.output.outputKey)), RECIPIENT);
    await expect(spendShape({ plan, output, keys, path: { kind: 'key-path' }, sighash: t.sighash, signers })).rejects.toMatchObject({ code: 'E_MUSIG_SESSION' });
    // the recovery leaf before its relative lock time fails in the asset VM
    const early = transfer(inputAsset(concat(Uint8Array.of(output.output.parity ? 3 : 2), output.output.outputKey)), RECIPIENT);
    const { witness } = await spendShape({ plan, output, keys, path: { kind: 'recovery', keys: [3] }, sighash: early.sighash, signers });
    expect(() => early.verify(witness)).toThrow(/sequence requirement not satisfied/);
  });

  it('weighted 1,1,2 / 2: leaves {k1+k2} (two devices, MuSig2) and {k3} (single key), and the recovery leaf', async () => {
    const spec: ShapeSpec = { signers: 3, threshold: { kind: 'weighted', weights: [1, 1, 2], threshold: 2 }, recovery: { keys: 1, k: 1, timelock: { older: CSV } } };
    const { plan, spent } = await spendEveryPath(spec, (p) => [p.deviceA, p.deviceB, p.softC, p.recovery]);
    expect(plan.leaves.map((l) => l.kind)).toEqual(['pk', 'pk', 'recovery']);
    expect(spent).toEqual([
      { kind: 'leaf', keys: [2] },
      { kind: 'leaf', keys: [0, 1] },
      { kind: 'recovery', keys: [3] },
    ]);
  });
});
