// `npm run bench` (firmware rows, docs/firmware.md): SIGN_VPSBT (protocol 2) of the suite's transfer
// at 2 and 1,000 outputs on our Taproot Assets app's C firmware in real Speculos, next to the
// emulator of the same model. Exchanges are the protocol's cost (docs/tap-app-protocol.md §5.5.9) and
// must be equal; ms differ by nature: the emulator auto-approves in-process, while on Speculos the
// harness pages through every review page by reading the screen (the streaming review paces the
// host), so its ms are mostly the review. Every signature is verified against its input's script key
// (applyVpsbtSignatures), so a fast wrong answer cannot count. Runs only when SPECULOS_TAP_APP_ELF
// names the ELF (SPECULOS_MODEL, SPECULOS_BIN as for the suites); otherwise it says why and skips.
// Prints a table and writes bench-results/firmware.json.
//
//   SPECULOS_TAP_APP_ELF=… SPECULOS_MODEL=nanosp npx tsx scripts/bench-firmware.ts [--out FILE] [--outputs 2,1000]

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Transport } from '../devices/transport.ts';
import { backendsFromEnv } from '../harness/index.ts';
import { TapAppClient } from '../host/tap-app/client.ts';
import { applyVpsbtSignatures } from '../host/tap-app/vpsbt-signatures.ts';
import { signVpsbtRow } from '../test/unit/tap-v2/sign-row.ts';
import { streamedTransfer } from '../test/unit/tap-v2/transfers.ts';

export interface FirmwareBenchRow {
  outputs: number;
  /** "emulator (nanosp)" or "speculos (nanosp, Taproot Assets app)". */
  backend: string;
  exchanges: number;
  ms: number;
  signatures: number;
}

const SIZES = [2, 1000];
/** Seconds the harness waits for one page to turn: a chunk's pages come only after qemu parsed it. */
const PAGE_TIMEOUT_MS = 60_000;

/** Counts the APDUs that go through `t`. */
function counting(t: Transport): { transport: Transport; count: () => number; reset: () => void } {
  let n = 0;
  const transport: Transport = {
    get kind() {
      return t.kind;
    },
    get busy() {
      return t.busy;
    },
    exchange: (apdu, options) => (n++, t.exchange(apdu, options)),
    close: () => t.close(),
    onDisconnect: (listener) => t.onDisconnect(listener),
  };
  return { transport, count: () => n, reset: () => (n = 0) };
}

/** Returns the rows, or undefined (and prints why) when no Taproot Assets app ELF is given. */
export async function benchFirmware(out: string, sizes = SIZES, env: NodeJS.ProcessEnv = process.env): Promise<FirmwareBenchRow[] | undefined> {
  const candidate = backendsFromEnv(env).find((c) => c.kind === 'speculos' && c.apps.includes('tap'));
  if (!candidate) {
    console.log('\nfirmware bench: skipped: SPECULOS_TAP_APP_ELF is not set (the ELF of firmware/tap-app/shell, docs/firmware.md)');
    return undefined;
  }
  if (!candidate.available) {
    console.log(`\nfirmware bench: skipped: ${candidate.reason}`);
    return undefined;
  }
  const rows: FirmwareBenchRow[] = [];
  for (const outputs of sizes) {
    const emulated = await signVpsbtRow(outputs, candidate.model);
    rows.push({ outputs, backend: `emulator (${candidate.model})`, exchanges: emulated.exchanges, ms: emulated.ms, signatures: emulated.signatures });

    // A fresh Speculos per size: the previous review's status page must not meet the next walk.
    const backend = await candidate.create({ app: 'tap' });
    try {
      const { transport, count, reset } = counting(backend.transport);
      const client = new TapAppClient(transport);
      const packet = streamedTransfer(outputs - 1);
      // As signVpsbtRow: the fingerprint is asked once per client, apart from the signing exchanges.
      await client.getMasterFingerprint();
      reset();
      const start = performance.now();
      const [results] = await Promise.all([client.signVpsbt(packet), backend.approve({ timeoutMs: PAGE_TIMEOUT_MS, maxPages: 20 * outputs + 200 })]);
      const ms = performance.now() - start;
      applyVpsbtSignatures(packet, results);
      rows.push({ outputs, backend: candidate.label, exchanges: count(), ms, signatures: results.length });
    } finally {
      await backend.close();
    }
  }
  for (const outputs of sizes) {
    const [a, b] = rows.filter((r) => r.outputs === outputs);
    if (a!.exchanges !== b!.exchanges || a!.signatures !== b!.signatures)
      throw new Error(`bench: SIGN_VPSBT of ${outputs} outputs: ${a!.backend} took ${a!.exchanges} exchanges for ${a!.signatures} signatures, ${b!.backend} ${b!.exchanges} for ${b!.signatures}`);
  }

  const w = Math.max(...rows.map((r) => r.backend.length), 7);
  console.log(`\n${'SIGN_VPSBT outputs'.padStart(18)}  ${'backend'.padEnd(w)}  ${'exchanges'.padStart(9)}  ${'ms'.padStart(10)}  signatures`);
  for (const r of rows)
    console.log(`${r.outputs.toLocaleString('en-US').padStart(18)}  ${r.backend.padEnd(w)}  ${String(r.exchanges).padStart(9)}  ${r.ms.toFixed(1).padStart(10)}  ${r.signatures}`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, elf: env.SPECULOS_TAP_APP_ELF, rows }, null, 2)}\n`);
  console.log(`written to ${out}`);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const sizes = arg('outputs')?.split(',').map(Number) ?? SIZES;
  if (sizes.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`--outputs: expected sizes of at least 2, got ${arg('outputs')}`);
  benchFirmware(arg('out') ?? 'bench-results/firmware.json', sizes).catch((err: unknown) => {
    console.error(`bench-firmware: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exitCode = 1;
  });
}
