// `npm run bench`: APDU round-trip times against the emulator, per transport and command. Prints a
// table and writes bench-results/bench.json. The rows: our loopback, Speculos TCP and Speculos HTTP
// transports, and Ledger's own hw-transport-node-speculos and -http, unchanged, for comparison.
// Every answer is checked (status 9000 and the expected bytes), so a fast wrong answer cannot count.
// Last, the coordinator rows (scripts/bench-coordinator.ts) go to coordinator.json beside the output.
// A second table (JSON: `signVpsbt`) shows SIGN_VPSBT (protocol 2) on the Taproot Assets app for
// transfers of 2, 100, 1,000 and 10,000 outputs, signed by the client over the in-process transport
// on an auto-approving emulated Flex: the bytes of the fields the protocol reads (B), the floor
// ceil(B/250), the exchanges, the time and the device's peak state (docs/tap-app-protocol.md §5.5.9).
// The bench refuses to report if a size exceeds 1.25 × its floor or the peak differs between sizes.
// A third table: start-up of the built CLI next to `node -e 0` (scripts/bench-startup.ts).
// Then FROST next to a MuSig2 leaf tree of the same threshold (scripts/bench-frost.ts) to frost.json.
// Last, when SPECULOS_TAP_APP_ELF names our firmware's ELF, SIGN_VPSBT at 2 and 1,000 outputs on it in
// real Speculos next to the emulator (scripts/bench-firmware.ts) to firmware.json; else it says why not.
//
//   npx tsx scripts/bench.ts [--iterations N] [--out FILE] [--only startup]
//
// `--only startup` (after `npm run build`) runs the start-up table alone and writes startup.json
// beside FILE.

import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeCommand } from '../apdu/apdu.ts';
import { equal, toHex } from '../apdu/bytes.ts';
import { getMasterFingerprint } from '../apdu/bitcoin-app/get-master-fingerprint.ts';
import { commandApdu } from '../apdu/bitcoin-app/spec.ts';
import { GET_APP_AND_VERSION_APDU } from '../apdu/app-and-version.ts';
import { LoopbackTransport } from '../devices/loopback.ts';
import { SpeculosHttpTransport } from '../devices/speculos-http.ts';
import { SpeculosTcpTransport } from '../devices/speculos-tcp.ts';
import { createEmulator } from '../emulator/index.ts';
import { signVpsbtRow, type SignVpsbtRow } from '../test/unit/tap-v2/sign-row.ts';
import { benchCoordinator } from './bench-coordinator.ts';
import { benchFirmware } from './bench-firmware.ts';
import { benchFrost } from './bench-frost.ts';
import { benchStartup, formatStartup } from './bench-startup.ts';

const require = createRequire(import.meta.url);

interface Exchanger {
  exchange(apdu: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

interface Row {
  transport: string;
  command: string;
  iterations: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (i >= 0 && value === undefined) throw new Error(`--${name}: expected a value`);
  return value ?? fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Adapts a Ledger hw-transport (Buffer in, Buffer out) to Uint8Array. */
function ledger(transport: { exchange(apdu: Buffer): Promise<Buffer>; close(): Promise<void> }): Exchanger {
  return {
    exchange: async (apdu) => new Uint8Array(await transport.exchange(Buffer.from(apdu))),
    close: () => transport.close(),
  };
}

async function measure(t: Exchanger, apdu: Uint8Array, expected: Uint8Array, iterations: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < iterations + 20; i++) {
    const start = performance.now();
    const answer = await t.exchange(apdu);
    const elapsed = performance.now() - start;
    if (!equal(answer, expected)) throw new Error(`bench: expected ${toHex(expected)}, got ${toHex(answer)}`);
    // The first 20 round trips warm up JIT and sockets and are not counted.
    if (i >= 20) times.push(elapsed);
  }
  return times;
}

/** SIGN_VPSBT v2 at these sizes (docs/tap-app-protocol.md §5.5.9); 10,000 takes tens of seconds, so it lives here, not in the tests. */
const SIGN_VPSBT_SIZES = [2, 100, 1000, 10000];
/** Exchanges over the floor ceil(B / 250) the protocol must stay within (issue 10 §2). */
const MAX_FLOOR_RATIO = 1.25;

async function main(): Promise<void> {
  const iterations = Number(argValue('iterations', '500'));
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`--iterations: expected a positive integer, got ${iterations}`);
  const out = argValue('out', 'bench-results/bench.json');
  const only = argValue('only', 'all');
  if (only !== 'all' && only !== 'startup') throw new Error(`--only: expected startup, got "${only}"`);
  if (only === 'startup') {
    const startup = await benchStartup();
    console.log(formatStartup(startup).join('\n'));
    const file = join(dirname(out), 'startup.json');
    await mkdir(dirname(out), { recursive: true });
    await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: availableParallelism(), startup }, null, 2)}\n`);
    console.log(`written to ${file}`);
    return;
  }

  const emulator = await createEmulator({ apiPort: 0, apduPort: 0, deterministicRng: 42 });
  const tcpPort = emulator.apduPort!;
  const apiPort = emulator.apiPort!;
  const LedgerTcp = require('@ledgerhq/hw-transport-node-speculos').default;
  const LedgerHttp = require('@ledgerhq/hw-transport-node-speculos-http').default;

  const transports: [string, () => Promise<Exchanger>][] = [
    ['loopback', async () => new LoopbackTransport(emulator.device)],
    ['speculos-tcp (ours)', () => SpeculosTcpTransport.open({ port: tcpPort })],
    ['speculos-http (ours)', () => SpeculosHttpTransport.open(`http://127.0.0.1:${apiPort}`)],
    ['hw-transport-node-speculos', async () => ledger(await LedgerTcp.open({ apduPort: tcpPort }))],
    ['hw-transport-node-speculos-http', async () => ledger(await LedgerHttp.open({ baseURL: 'http://127.0.0.1', apiPort }))],
  ];

  // Expected answers come from the device itself once, then every transport must reproduce them.
  const probe = new LoopbackTransport(emulator.device);
  const commands: { name: string; apdu: Uint8Array; expected: Uint8Array }[] = [];
  const appVersion = encodeCommand(GET_APP_AND_VERSION_APDU);
  commands.push({ name: 'B0 01 app and version', apdu: appVersion, expected: await probe.exchange(appVersion) });
  const fingerprint = encodeCommand(commandApdu(getMasterFingerprint, undefined));
  const fpAnswer = await probe.exchange(fingerprint);
  // Only an app answers the fingerprint; on the dashboard the row would measure an error path.
  if (toHex(fpAnswer.subarray(-2)) === '9000')
    commands.push({ name: 'E1 05 fingerprint', apdu: fingerprint, expected: fpAnswer });
  await probe.close();

  const rows: Row[] = [];
  try {
    for (const [name, open] of transports) {
      const t = await open();
      try {
        for (const c of commands) {
          const times = (await measure(t, c.apdu, c.expected, iterations)).sort((a, b) => a - b);
          rows.push({
            transport: name,
            command: c.name,
            iterations,
            meanMs: times.reduce((a, b) => a + b, 0) / times.length,
            p50Ms: percentile(times, 50),
            p95Ms: percentile(times, 95),
            minMs: times[0]!,
            maxMs: times[times.length - 1]!,
          });
        }
      } finally {
        await t.close();
      }
    }
  } finally {
    await emulator.close();
  }

  const fmt = (n: number): string => n.toFixed(3).padStart(9);
  const w1 = Math.max(...rows.map((r) => r.transport.length), 9);
  const w2 = Math.max(...rows.map((r) => r.command.length), 7);
  console.log(`${'transport'.padEnd(w1)}  ${'command'.padEnd(w2)}  ${'mean ms'.padStart(9)}  ${'p50 ms'.padStart(9)}  ${'p95 ms'.padStart(9)}  ${'min ms'.padStart(9)}  ${'max ms'.padStart(9)}`);
  for (const r of rows)
    console.log(`${r.transport.padEnd(w1)}  ${r.command.padEnd(w2)}  ${fmt(r.meanMs)}  ${fmt(r.p50Ms)}  ${fmt(r.p95Ms)}  ${fmt(r.minMs)}  ${fmt(r.maxMs)}`);

  const signVpsbt: SignVpsbtRow[] = [];
  for (const outputs of SIGN_VPSBT_SIZES) {
    const { signatures: _checked, ...row } = await signVpsbtRow(outputs);
    signVpsbt.push(row);
  }
  for (const r of signVpsbt)
    if (r.exchanges > MAX_FLOOR_RATIO * r.floorExchanges)
      throw new Error(`bench: SIGN_VPSBT of ${r.outputs} outputs took ${r.exchanges} exchanges, above ${MAX_FLOOR_RATIO} × the floor ${r.floorExchanges}`);
  if (new Set(signVpsbt.map((r) => r.peakDeviceBytes)).size !== 1)
    throw new Error(`bench: the device's peak state differs across sizes: ${signVpsbt.map((r) => r.peakDeviceBytes).join(', ')} bytes`);
  const cols: [keyof SignVpsbtRow, string][] = [['outputs', 'SIGN_VPSBT outputs'], ['bytesRead', 'bytes read (B)'], ['floorExchanges', 'floor ceil(B/250)'], ['exchanges', 'exchanges'], ['ms', 'ms'], ['peakDeviceBytes', 'peak device bytes']];
  console.log(`\n${cols.map(([, h]) => h.padStart(18)).join('  ')}  ratio`);
  for (const r of signVpsbt)
    console.log(`${cols.map(([k]) => (k === 'ms' ? r.ms.toFixed(1) : r[k].toLocaleString('en-US')).padStart(18)).join('  ')}  ${(r.exchanges / r.floorExchanges).toFixed(3)}`);

  const startup = await benchStartup();
  console.log(`\n${formatStartup(startup).join('\n')}`);

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: availableParallelism(),
    rows,
    signVpsbt,
    startup,
  };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${out}`);
  await benchCoordinator(join(dirname(out), 'coordinator.json'));
  await benchFrost(join(dirname(out), 'frost.json'));
  await benchFirmware(join(dirname(out), 'firmware.json'));
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  process.exitCode = 1;
});
