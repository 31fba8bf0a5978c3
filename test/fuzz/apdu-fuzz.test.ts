// Random and mutated APDUs against the emulator: 100,000 over the in-process loopback transport and a
// slice over the Speculos TCP port. Every one must be answered with at least a status word, nothing may
// throw out of the emulator, and afterwards it must still answer B0 01 and the fingerprint correctly.
// Deterministic: a seeded PRNG, so a failure names the case and reproduces.

import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../apdu/apdu.ts';
import { fromHex, toHex, utf8 } from '../../apdu/bytes.ts';
import { getAppAndVersion } from '../../apdu/app-and-version.ts';
import { LoopbackTransport } from '../../devices/loopback.ts';
import { SpeculosTcpTransport } from '../../devices/speculos-tcp.ts';
import { APPS } from '../../emulator/apps/index.ts';
import { EmulatedDevice } from '../../emulator/device.ts';
import { deviceOptions } from '../../emulator/index.ts';
import { startServers, type RunningServers } from '../../emulator/server/index.ts';
import { prng, type Rng } from './prng.ts';

const LOOPBACK_CASES = 100_000;
const TCP_CASES = 2_000;
const B001 = fromHex('b001000000');

/** Every host command of the recorded corpus (both models): real, valid commands to mutate. */
function corpusCommands(): Uint8Array[] {
  const out = new Map<string, Uint8Array>();
  for (const model of ['nanosp', 'flex']) {
    const dir = new URL(`../vectors/speculos-corpus/${model}/`, import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.apdus')))
      for (const line of readFileSync(new URL(file, dir), 'utf8').split('\n'))
        if (line.startsWith('=> ')) out.set(line.slice(3), fromHex(line.slice(3)));
  }
  return [...out.values()];
}

function mutate(rng: Rng, seed: Uint8Array): Uint8Array {
  const b = Uint8Array.from(seed);
  switch (rng.below(7)) {
    case 0: // flip one bit
      if (b.length > 0) b[rng.below(b.length)]! ^= 1 << rng.below(8);
      return b;
    case 1: // overwrite a few bytes
      for (let i = rng.below(4) + 1; i > 0 && b.length > 0; i--) b[rng.below(b.length)] = rng.u32() & 0xff;
      return b;
    case 2: // truncate
      return b.subarray(0, rng.below(b.length + 1));
    case 3: // append garbage
      return Uint8Array.from([...b, ...rng.bytes(rng.below(40) + 1)]);
    case 4: // lie about Lc
      if (b.length >= 5) b[4] = rng.u32() & 0xff;
      return b;
    case 5: // another P1 / P2
      if (b.length >= 4) b[2 + rng.below(2)] = rng.u32() & 0xff;
      return b;
    default: // keep the data, change the instruction
      if (b.length >= 2) b[1] = rng.u32() & 0xff;
      return b;
  }
}

/**
 * The case list: every CLA x INS pair once (empty data, Lc 0, random P1/P2), then mutations of corpus
 * commands and of B0 01, and fully random byte strings of random lengths (0..300).
 */
function* cases(rng: Rng, count: number, seeds: Uint8Array[]): Generator<Uint8Array> {
  let n = 0;
  if (count >= 65_536)
    for (let cla = 0; cla < 256; cla++)
      for (let ins = 0; ins < 256; ins++, n++) yield Uint8Array.of(cla, ins, rng.u32() & 0xff, rng.u32() & 0xff, 0);
  for (; n < count; n++) {
    const kind = rng.below(10);
    if (kind < 6) yield mutate(rng, seeds[rng.below(seeds.length)]!);
    else if (kind < 7) yield mutate(rng, B001);
    else yield rng.bytes(rng.below(301));
  }
}

function fuzzDevice(): { device: EmulatedDevice; reopen: () => void } {
  // Reviews a mutated command may start are approved as a person would; status screens stay until input.
  const options = { ...deviceOptions({ autoApprove: true }), statusTimeoutMs: 0 };
  const device = new EmulatedDevice(options);
  const start = options.startApp;
  const reopen = (): void => {
    if (start !== undefined && device.state === 'dashboard') device.openApp(start);
  };
  return { device, reopen };
}

interface Exchanger {
  exchange(apdu: Uint8Array): Promise<Uint8Array>;
}

/**
 * Runs the cases; `afterEach` lets the caller put the device back in the app after a case quit it
 * (B0 A7 is in the sweep), so the app keeps being fuzzed rather than the dashboard.
 */
async function runCases(t: Exchanger, rng: Rng, count: number, afterEach: () => void): Promise<Map<string, number>> {
  const seeds = corpusCommands();
  const statuses = new Map<string, number>();
  let i = 0;
  for (const apdu of cases(rng, count, seeds)) {
    let answer: Uint8Array;
    try {
      answer = await t.exchange(apdu);
    } catch (err) {
      throw new Error(`case ${i} (${toHex(apdu)}): the exchange threw ${(err as Error).name}: ${(err as Error).message}`);
    }
    if (answer.length < 2) throw new Error(`case ${i} (${toHex(apdu)}): expected data || SW, got ${toHex(answer)}`);
    const sw = toHex(answer.subarray(-2));
    statuses.set(sw, (statuses.get(sw) ?? 0) + 1);
    afterEach();
    i++;
  }
  expect(i).toBe(count);
  return statuses;
}

/** After fuzzing: B0 01 decodes to an installed app or the dashboard; the Bitcoin app (re)opens and answers as recorded. */
async function checkStillSane(t: Exchanger, device: EmulatedDevice): Promise<void> {
  const answer = await t.exchange(B001);
  expect(toHex(answer.subarray(-2))).toBe('9000');
  const { name } = getAppAndVersion.decodeResponse(answer.subarray(0, -2));
  expect(['BOLOS', ...device.installedApps]).toContain(name);
  const entry = APPS['bitcoin-test'];
  if (!entry) return;
  if (name !== entry.displayName) {
    if (name !== 'BOLOS') expect(toHex(await t.exchange(fromHex('b0a7000000')))).toBe('9000');
    const open = encodeCommand({ cla: 0xe0, ins: 0xd8, p1: 0, p2: 0, data: utf8.encode(entry.displayName) });
    expect(toHex(await t.exchange(open))).toBe('9000');
  }
  // The corpus's app-version-and-fingerprint answers, byte for byte.
  expect(toHex(await t.exchange(B001))).toBe('010c426974636f696e205465737405322e342e3601009000');
  expect(toHex(await t.exchange(fromHex('e105000100')))).toBe('f5acc2fd9000');
}

describe('APDU fuzzing', () => {
  let servers: RunningServers | undefined;
  afterAll(() => servers?.close());
  beforeAll(() => {
    if (!('bitcoin-test' in APPS)) console.log('fuzz: the Bitcoin Test app is not registered yet; fuzzing the dashboard only');
  });

  it(`answers ${LOOPBACK_CASES} random and mutated APDUs over loopback with a status word`, async () => {
    const { device, reopen } = fuzzDevice();
    const t = new LoopbackTransport(device);
    const statuses = await runCases(t, prng(0x7a9f00d), LOOPBACK_CASES, reopen);
    if (process.env.FUZZ_STATS) console.log([...statuses].sort((a, b) => b[1] - a[1]));
    // Sanity of the generator: the sweep reaches the app, the OS and the framing checks alike.
    expect(statuses.get('6e00') ?? 0).toBeGreaterThan(0);
    expect(statuses.get('9000') ?? 0).toBeGreaterThan(0);
    expect(statuses.size).toBeGreaterThan(3);
    await checkStillSane(t, device);
    await t.close();
  });

  it(`answers ${TCP_CASES} random and mutated APDUs over the Speculos TCP port`, async () => {
    const { device, reopen } = fuzzDevice();
    servers = await startServers(device, { apiPort: null, apduPort: 0 });
    const t = await SpeculosTcpTransport.open({ port: servers.apduPort! });
    await runCases(t, prng(0x51ce), TCP_CASES, reopen);
    await checkStillSane(t, device);
    await t.close();
  });
});
