import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { openTransport } from '../../../devices/open.ts';
import { parseTranscript } from '../../../devices/replay.ts';
import { SpeculosHttpControl, SpeculosHttpTransport } from '../../../devices/speculos-http.ts';
import { SpeculosTcpTransport } from '../../../devices/speculos-tcp.ts';
import type { Transport } from '../../../devices/transport.ts';
import { createEmulator, type Emulator } from '../../../emulator/index.ts';

const corpus = (file: string) => readFileSync(new URL(`../../vectors/speculos-corpus/${file}`, import.meta.url), 'utf8');
const versionFlow = parseTranscript(corpus('nanosp/app-version-and-fingerprint.apdus'));
const xpubFlow = parseTranscript(corpus('nanosp/xpub-display-approve-86h-1h-101h.apdus'))[0]!;
const xpubScreens = (JSON.parse(corpus('nanosp/xpub-display-approve-86h-1h-101h.json')) as {
  screens: { events: { text: string }[]; action: Record<string, unknown> }[];
}).screens;

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator({ model: 'nanosp', apiPort: 0, apduPort: 0 });
});
afterAll(async () => {
  await emu.close();
});

const kinds: [string, () => Promise<Transport>][] = [
  ['loopback', async () => new LoopbackTransport(emu.device)],
  ['speculos-tcp', () => SpeculosTcpTransport.open({ port: emu.apduPort! })],
  ['speculos-http', () => SpeculosHttpTransport.open(`http://127.0.0.1:${emu.apiPort}`)],
  ['openTransport speculos-tcp', () => openTransport(`speculos-tcp://127.0.0.1:${emu.apduPort}`)],
  ['openTransport speculos-http', () => openTransport(`speculos-http://127.0.0.1:${emu.apiPort}`)],
];

describe.each(kinds)('%s against the emulator', (_name, open) => {
  it('answers the recorded app-version-and-fingerprint flow byte for byte', async () => {
    const t = await open();
    try {
      for (const e of versionFlow) expect(toHex(await t.exchange(e.command))).toBe(toHex(e.response));
    } finally {
      await t.close();
    }
  });
});

describe('SpeculosHttpControl against the emulator', () => {
  it('steps through the xpub review with buttons, as recorded, while POST /apdu blocks', async () => {
    const control = new SpeculosHttpControl(`http://127.0.0.1:${emu.apiPort}`);
    const t = await SpeculosHttpTransport.open(`http://127.0.0.1:${emu.apiPort}`);
    const stop = new AbortController();
    const stream = await control.eventStream({ signal: stop.signal });
    const seen: string[] = [];
    const reply = t.exchange(xpubFlow.command);
    try {
      // Follow the recorded navigation: each screen's last text tells us it is fully drawn.
      for (const screen of xpubScreens) {
        const last = screen.events[screen.events.length - 1]!.text;
        for (;;) {
          const next = await stream.next();
          if (next.done) throw new Error('event stream ended');
          seen.push(next.value.text);
          if (next.value.text === last) break;
        }
        const button = screen.action.button as 'left' | 'right' | 'both' | undefined;
        if (button) await control.button(button);
      }
      expect(toHex(await reply)).toBe(toHex(xpubFlow.response));
      expect(seen).toEqual(xpubScreens.flatMap((s) => s.events.map((e) => e.text)));
    } finally {
      stop.abort();
      await stream.return();
      await t.close();
    }
  });

  it('reads the current screen, clears history, and takes a PNG screenshot', async () => {
    const control = new SpeculosHttpControl(`http://127.0.0.1:${emu.apiPort}`);
    const screen = await control.events({ currentScreenOnly: true });
    expect(screen.length).toBeGreaterThan(0);
    await control.clearEvents();
    expect(await control.events()).toEqual([]);
    const png = await control.screenshot();
    expect(toHex(png.subarray(0, 8))).toBe('89504e470d0a1a0a');
    // IHDR width and height: the Nano S Plus screen, 128 x 64.
    expect(toHex(png.subarray(16, 24))).toBe('00000080' + '00000040');
  });
});
