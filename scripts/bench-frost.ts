// `npm run bench` (FROST rows, docs/frost.md): a t-of-n FROST key set on emulated devices next to the
// K-of-N MuSig2 leaf tree of the same threshold (bitcoin/shapes: one MuSig2 leaf per t-subset under a
// NUMS internal key), for 2-of-3 and 3-of-5. For each: set-up (FROST: the DKG; MuSig2: reading every
// device's key) and one spend by t devices — wall time on the in-process loopback and APDU exchanges
// summed over the devices (each costs 5-20 ms on USB) — and the spend's witness bytes on chain.
// For 2-of-3 also a vPSBT whose script key is the FROST key (docs/frost.md §2.6): the devices commit
// and then review and sign the transfer through SIGN_VPSBT v2 (a split to two recipients).
// Every signature is checked with BIP-340 verify, so a fast wrong answer cannot count.
// Prints a table and writes bench-results/frost.json.
//
//   npx tsx scripts/bench-frost.ts [--out FILE]

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { generateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { encodeVarint } from '../apdu/bytes.ts';
import { LoopbackTransport } from '../devices/loopback.ts';
import { EmulatedDevice, deviceOptions } from '../emulator/index.ts';
import { planShape } from '../bitcoin/shapes/plan.ts';
import { shapeOutput } from '../bitcoin/shapes/output.ts';
import { concat } from '../apdu/bytes.ts';
import { groupKeyXOnly } from '../apdu/tap-app/frost-data.ts';
import { signedOutput, vpsbtSplits } from '../host/tap-app/vpsbt-signatures.ts';
import { verifyStateTransition } from '../assets/vtx/verify.ts';
import { DeviceFrostParticipant, runFrostDkg, runFrostSign, signVpsbtFrostInput } from '../host/frost/index.ts';
import { transferPacket } from '../test/unit/tap-app/vpsbt-fixture.ts';
import { p2tr } from '@scure/btc-signer';
import { TapAppMusigSigner, runMusigSession } from '../host/musig2/index.ts';
import { TapAppClient } from '../host/tap-app/client.ts';

export interface FrostBenchRow {
  scheme: 'FROST' | 'FROST vPSBT script key' | 'MuSig2 leaf tree';
  threshold: number;
  participants: number;
  setupMs: number;
  setupExchanges: number;
  signMs: number;
  signExchanges: number;
  /** Witness of the spend: the item count and each item with its length prefix. */
  witnessBytes: number;
  /** Taptree leaves the output commits to (0: key path only). */
  leaves: number;
}

const SCRIPT_PATH = "m/1017'/1'/212'/0/0";

/** n auto-approving devices with blind signing on, each with its own seed, counting exchanges. */
function devices(n: number) {
  let exchanges = 0;
  const clients = Array.from({ length: n }, () => {
    const device = new EmulatedDevice({ ...deviceOptions({ app: 'tap', autoApprove: true, seed: generateMnemonic(wordlist) }), settings: { blindSigning: true } });
    return new TapAppClient(new LoopbackTransport({ exchange: (apdu, o) => (exchanges++, device.exchange(apdu, o)) }));
  });
  return { clients, exchanges: () => exchanges };
}

async function timed<T>(count: () => number, run: () => Promise<T>): Promise<{ value: T; ms: number; exchanges: number }> {
  const before = count();
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start, exchanges: count() - before };
}

const witnessSize = (items: readonly number[]): number => encodeVarint(items.length).length + items.reduce((a, n) => a + encodeVarint(n).length + n, 0);

async function frost(t: number, n: number, message: Uint8Array, withVpsbt: boolean): Promise<FrostBenchRow[]> {
  const d = devices(n);
  const dkg = await timed(d.exchanges, () => runFrostDkg(t, d.clients.map((c, i) => new DeviceFrostParticipant(c, `device ${i + 1}`))));
  const sign = await timed(d.exchanges, () => runFrostSign(dkg.value.keyPackage, message, dkg.value.signers.slice(0, t), { kind: 'bip86' }));
  if (!schnorr.verify(sign.value.signature, message, sign.value.signingKey)) throw new Error('bench: FROST signature does not verify');
  const rows = [row('FROST', t, n, dkg, sign)];
  if (withVpsbt) {
    const scriptKey = concat(Uint8Array.of(0x02), p2tr(groupKeyXOnly(dkg.value.keyPackage)).tweakedPubkey);
    const packet = transferPacket({ inputs: [1000n], recipients: 2, inputScriptKeys: [scriptKey] });
    const spend = await timed(d.exchanges, () => signVpsbtFrostInput(packet, 0, dkg.value.keyPackage, dkg.value.signers.slice(0, t)));
    const p = spend.value.packet;
    // Throws unless the asset VM port accepts the witness.
    verifyStateTransition(signedOutput(p).asset!, vpsbtSplits(p), p.inputs.map((vin) => ({ prevId: vin.prevId, asset: vin.asset! })));
    rows.push(row('FROST vPSBT script key', t, n, dkg, spend));
  }
  return rows;
}

function row(scheme: FrostBenchRow['scheme'], t: number, n: number, dkg: { ms: number; exchanges: number }, sign: { ms: number; exchanges: number }): FrostBenchRow {
  return {
    scheme,
    threshold: t,
    participants: n,
    setupMs: dkg.ms,
    setupExchanges: dkg.exchanges,
    signMs: sign.ms,
    signExchanges: sign.exchanges,
    witnessBytes: witnessSize([64]),
    leaves: 0,
  };
}

async function musigTree(t: number, n: number, message: Uint8Array): Promise<FrostBenchRow> {
  const d = devices(n);
  const setup = await timed(d.exchanges, () => Promise.all(d.clients.map((c, i) => TapAppMusigSigner.open(c, SCRIPT_PATH, { name: `device ${i + 1}` }))));
  const signers = setup.value;
  const plan = planShape({ signers: n, threshold: { kind: 'k-of-n', k: t } });
  const out = shapeOutput(plan, { keys: signers.map((s) => ({ publicKey: s.publicKey, chainCode: new Uint8Array(32) })) });
  // Leaf 0 is the subset of signers 0..t-1; its context is the first MuSig2 context.
  const ctx = out.musig[0]!;
  const leaf = out.tree!.leaves[0]!;
  const sign = await timed(d.exchanges, () =>
    runMusigSession({ participants: ctx.participants, tweaks: ctx.tweaks, isXonly: ctx.isXonly, leafHash: ctx.leafHash }, message, signers.slice(0, t)),
  );
  if (!schnorr.verify(sign.value.signature, message, sign.value.session.aggregateXOnly)) throw new Error('bench: MuSig2 signature does not verify');
  const controlBlock = 33 + 32 * leaf.merklePath.length;
  return {
    scheme: 'MuSig2 leaf tree',
    threshold: t,
    participants: n,
    setupMs: setup.ms,
    setupExchanges: setup.exchanges,
    signMs: sign.ms,
    signExchanges: sign.exchanges,
    witnessBytes: witnessSize([64, leaf.script.length, controlBlock]),
    leaves: out.tree!.leaves.length,
  };
}

export async function benchFrost(out: string): Promise<FrostBenchRow[]> {
  const message = sha256(new TextEncoder().encode('taproot-hw FROST bench'));
  const rows: FrostBenchRow[] = [];
  for (const [t, n] of [
    [2, 3],
    [3, 5],
  ] as const)
    rows.push(...(await frost(t, n, message, t === 2)), await musigTree(t, n, message));

  console.log(
    `\n${'scheme'.padEnd(22)}  ${'t-of-n'.padEnd(6)}  ${'setup ms'.padStart(9)}  ${'setup APDUs'.padStart(11)}  ${'sign ms'.padStart(8)}  ${'sign APDUs'.padStart(10)}  ${'witness bytes'.padStart(13)}  leaves`,
  );
  for (const r of rows)
    console.log(
      `${r.scheme.padEnd(22)}  ${`${r.threshold}-of-${r.participants}`.padEnd(6)}  ${r.setupMs.toFixed(1).padStart(9)}  ${String(r.setupExchanges).padStart(11)}  ${r.signMs.toFixed(1).padStart(8)}  ${String(r.signExchanges).padStart(10)}  ${String(r.witnessBytes).padStart(13)}  ${r.leaves}`,
    );
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
  console.log(`written to ${out}`);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--out');
  benchFrost(i >= 0 ? process.argv[i + 1]! : 'bench-results/frost.json').catch((err: unknown) => {
    console.error(`bench-frost: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exitCode = 1;
  });
}
