// Ledger's own Speculos clients, unchanged, against `taproot-hw emulator` run as a subprocess through
// the package's bin: @ledgerhq/hw-transport-node-speculos (APDU, button and automation TCP ports) and
// @ledgerhq/hw-transport-node-speculos-http (REST + SSE). Answers and screens are checked against the
// Speculos corpus recorded from the real Bitcoin app 2.4.6 on a Nano S Plus.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../apdu/bytes.ts';
import { getAppAndVersion } from '../../apdu/app-and-version.ts';
import { APPS } from '../../emulator/apps/index.ts';
import { driveScreens, loadCorpusFlow, TextLog } from './corpus-flow.ts';
import { runCli, startEmulatorProcess, type EmulatorProcess } from './emulator-process.ts';

const require = createRequire(import.meta.url);
const SpeculosTransport = require('@ledgerhq/hw-transport-node-speculos').default;
const SpeculosHttpTransport = require('@ledgerhq/hw-transport-node-speculos-http').default;

// The CLI opens "Bitcoin Test" when the app is registered, else it starts on the dashboard.
const hasBitcoinTest = 'bitcoin-test' in APPS;
if (!hasBitcoinTest) console.log('compat: the Bitcoin Test app is not registered yet; review flows are skipped, dashboard checks run');

const BUTTON_KEYS = { left: 'Ll', right: 'Rr', both: 'LRlr' } as const;
const versionFlow = loadCorpusFlow('nanosp', 'app-version-and-fingerprint');
const xpubFlow = loadCorpusFlow('nanosp', 'xpub-display-approve-86h-1h-101h');

interface TextEventJson {
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
  clear: boolean;
}

function expectTextEvent(e: TextEventJson): void {
  expect(Object.keys(e)).toEqual(['text', 'x', 'y', 'w', 'h', 'clear']);
  for (const k of ['x', 'y', 'w', 'h'] as const) expect(Number.isInteger(e[k])).toBe(true);
}

async function currentScreen(apiPort: number): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${apiPort}/events?currentscreenonly=true`);
  return ((await res.json()) as { events: TextEventJson[] }).events.map((e) => e.text);
}

/** Presses right and waits until the current screen is another one. */
async function pressRightAndSeeChange(press: () => Promise<void>, log: TextLog, apiPort: number): Promise<void> {
  const before = await currentScreen(apiPort);
  const from = log.texts.length;
  await press();
  const deadline = Date.now() + 30_000;
  while (log.texts.length === from || JSON.stringify(await currentScreen(apiPort)) === JSON.stringify(before)) {
    if (Date.now() > deadline) throw new Error(`expected a new screen after pressing right, still ${JSON.stringify(before)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(await currentScreen(apiPort)).not.toEqual(before);
}

describe('taproot-hw emulator subprocess', () => {
  let emu: EmulatorProcess;

  beforeAll(async () => {
    emu = await startEmulatorProcess(['--api-port', '0', '--apdu-port', '0', '--button-port', '0', '--automation-port', '0']);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('prints exactly one JSON line with every port and the URL', () => {
    const { apduPort, apiPort, buttonPort, automationPort, url } = emu.ports;
    expect(Object.keys(emu.ports)).toEqual(['apduPort', 'apiPort', 'buttonPort', 'automationPort', 'url']);
    for (const port of [apduPort, apiPort, buttonPort, automationPort]) expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${apiPort}/`);
    expect(emu.stdout()).toBe(`${JSON.stringify(emu.ports)}\n`);
  });

  describe('@ledgerhq/hw-transport-node-speculos (TCP)', () => {
    let transport: InstanceType<typeof SpeculosTransport>;
    const log = new TextLog();
    const raw: TextEventJson[] = [];

    beforeAll(async () => {
      const { apduPort, buttonPort, automationPort } = emu.ports;
      transport = await SpeculosTransport.open({ apduPort, buttonPort, automationPort });
      transport.automationEvents.subscribe((e: TextEventJson) => {
        raw.push(e);
        if (!e.clear) log.push(e.text);
      });
      // The automation socket connects asynchronously; give it a round trip before events matter.
      await new Promise((r) => setTimeout(r, 100));
    });
    afterAll(async () => {
      await transport?.close();
    });

    it('exchanges B0 01', async () => {
      const answer: Buffer = await transport.exchange(Buffer.from('b001000000', 'hex'));
      if (hasBitcoinTest) {
        expect(answer.toString('hex')).toBe(versionFlow.exchanges[0]![1]);
      } else {
        expect(answer.subarray(-2).toString('hex')).toBe('9000');
        expect(getAppAndVersion.decodeResponse(new Uint8Array(answer.subarray(0, -2))).name).toBe('BOLOS');
      }
    });

    it.skipIf(!hasBitcoinTest)('answers GET_MASTER_FINGERPRINT as the real app', async () => {
      const [cmd, res] = versionFlow.exchanges[1]!;
      expect((await transport.exchange(Buffer.from(cmd, 'hex'))).toString('hex')).toBe(res);
    });

    it('presses buttons over the button port and streams the screens over the automation port', async () => {
      await pressRightAndSeeChange(() => transport.button('Rr'), log, emu.ports.apiPort);
      for (const e of raw) expectTextEvent(e);
      // Back where we were, so later tests start on the same screen.
      await transport.button('Ll');
    });

    it.skipIf(!hasBitcoinTest)('approves an xpub review with the buttons while the APDU waits', async () => {
      const [cmd, res] = xpubFlow.exchanges[0]!;
      const from = log.texts.length;
      const pending: Promise<Buffer> = transport.exchange(Buffer.from(cmd, 'hex'));
      // Observed below; this only keeps a failure elsewhere from also surfacing as an unhandled rejection.
      pending.catch(() => undefined);
      const sub = new TextLog();
      sub.texts.push(...log.texts.slice(from));
      transport.automationEvents.subscribe((e: TextEventJson) => !e.clear && sub.push(e.text));
      await driveScreens(xpubFlow.screens, sub, (b) => transport.button(BUTTON_KEYS[b]));
      expect((await pending).toString('hex')).toBe(res);
    });
  });

  describe('@ledgerhq/hw-transport-node-speculos-http (REST + SSE)', () => {
    let transport: InstanceType<typeof SpeculosHttpTransport>;
    const log = new TextLog();
    const raw: TextEventJson[] = [];

    beforeAll(async () => {
      transport = await SpeculosHttpTransport.open({ baseURL: 'http://127.0.0.1', apiPort: emu.ports.apiPort });
      transport.automationEvents.subscribe((e: TextEventJson) => {
        raw.push(e);
        log.push(e.text);
      });
    });
    afterAll(async () => {
      await transport?.close();
    });

    it('exchanges B0 01', async () => {
      const answer: Buffer = await transport.exchange(Buffer.from('b001000000', 'hex'));
      if (hasBitcoinTest) expect(answer.toString('hex')).toBe(versionFlow.exchanges[0]![1]);
      else expect(getAppAndVersion.decodeResponse(new Uint8Array(answer.subarray(0, -2))).name).toBe('BOLOS');
    });

    it('presses buttons with POST /button and reads the screens from the SSE stream', async () => {
      await pressRightAndSeeChange(() => transport.button('Rr'), log, emu.ports.apiPort);
      // SSE never carries clear events (speculos/api/events.py); every event has Speculos's fields.
      expect(raw.length).toBeGreaterThan(0);
      for (const e of raw) {
        expectTextEvent(e);
        expect(e.clear).toBe(false);
      }
      await transport.button('Ll');
    });

    it.skipIf(!hasBitcoinTest)('approves an xpub review with POST /button while POST /apdu blocks', async () => {
      const [cmd, res] = xpubFlow.exchanges[0]!;
      const sub = new TextLog();
      transport.automationEvents.subscribe((e: TextEventJson) => sub.push(e.text));
      const pending: Promise<Buffer> = transport.exchange(Buffer.from(cmd, 'hex'));
      pending.catch(() => undefined);
      await driveScreens(xpubFlow.screens, sub, (b) => transport.button(BUTTON_KEYS[b]));
      expect(toHex(new Uint8Array(await pending))).toBe(res);
      // The plain event history holds the whole review, in order.
      const res2 = await fetch(`http://127.0.0.1:${emu.ports.apiPort}/events`);
      const texts = ((await res2.json()) as { events: TextEventJson[] }).events.map((e) => e.text);
      const wanted = xpubFlow.screens.flatMap((s) => s.events.map((e) => e.text));
      expect(texts.filter((t) => wanted.includes(t)).slice(-wanted.length)).toEqual(wanted);
    });
  });

  it('stops with exit code 0 on SIGTERM', async () => {
    const other = await startEmulatorProcess(['--api-port', '0', '--apdu-port', '0']);
    expect(await other.stop('SIGTERM')).toBe(0);
    const third = await startEmulatorProcess(['--api-port', '0', '--apdu-port', '0']);
    expect(await third.stop('SIGINT')).toBe(0);
  });

  it('refuses a port in use with an error naming it, and does not rebind', async () => {
    const result = await runCli(['emulator', '--api-port', '0', '--apdu-port', String(emu.ports.apduPort)]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('PortInUseError');
    expect(result.stderr).toContain(`127.0.0.1:${emu.ports.apduPort}`);
  });

  it.each([
    [['--model', 'nanoq'], '--model: expected one of nanosp, nanox, stax, flex, apex, got "nanoq"'],
    [['--api-port', 'x'], '--api-port: expected a whole number, got "x"'],
    [['--apdu-port', '70000'], '--apdu-port: expected 0..65535, got 70000'],
    [['--bogus'], 'unknown option --bogus'],
    [['--deterministic-rng'], '--deterministic-rng expects a value'],
  ])('rejects bad arguments %j with a message naming what was expected', async (args, message) => {
    const result = await runCli(['emulator', ...args]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });
});

describe('taproot-hw demo --exit', () => {
  it.skipIf(!hasBitcoinTest)('runs the session over the TCP port and approves the signature with the buttons', async () => {
    const result = await runCli(['demo', '--exit']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    const ports = JSON.parse(lines[0]!) as { apiPort: number; url: string };
    expect(ports.url).toBe(`http://127.0.0.1:${ports.apiPort}/`);
    expect(lines).toContain('App: Bitcoin Test 2.4.6');
    expect(lines).toContain('Master fingerprint: f5acc2fd');
    // The account xpub the real app returns for the default seed (corpus xpub-standard-silent).
    const standard = loadCorpusFlow('nanosp', 'xpub-standard-silent').exchanges.map(([, res]) => res);
    const xpubLine = lines.find((l) => l.startsWith("xpub m/86'/1'/0': "))!;
    const xpubHex = Buffer.from(xpubLine.slice("xpub m/86'/1'/0': ".length), 'ascii').toString('hex');
    expect(standard).toContain(`${xpubHex}9000`);
    expect(lines.some((l) => /^Signature \(BIP-137, base64\): [A-Za-z0-9+/]{87}=$/.test(l))).toBe(true);
    // MuSig2 2-of-2 with the "abandon" cosigner: the policy of the corpus flow policy-tr-musig-2of2,
    // so its first address is the one the real app returned there.
    const musig = JSON.parse(readFileSync(new URL('../vectors/speculos-corpus/nanosp/policy-tr-musig-2of2.json', import.meta.url), 'utf8'));
    expect(lines).toContain(`MuSig2: registered; first address ${musig.results.addresses['0/0']}`);
    expect(lines.some((l) => /^MuSig2: aggregate signature [0-9a-f]{128}$/.test(l))).toBe(true);
    expect(lines.some((l) => /^MuSig2: verifies \(BIP-340\) against the output key [0-9a-f]{64}; signed transaction [0-9a-f]{64}$/.test(l))).toBe(true);
  });
});

// Kept apart so that a failure above cannot hide that the bytes from the corpus are what we compare to.
describe('corpus transcript used above', () => {
  it('is the real app answering B0 01 with "Bitcoin Test" 2.4.6', () => {
    const [cmd, res] = versionFlow.exchanges[0]!;
    expect(cmd).toBe('b001000000');
    const decoded = getAppAndVersion.decodeResponse(fromHex(res).subarray(0, -2));
    expect([decoded.name, decoded.version]).toEqual(['Bitcoin Test', '2.4.6']);
  });
});
