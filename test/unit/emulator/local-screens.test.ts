// Every screen sequence recorded on real Speculos 0.27.1 (test/vectors/speculos-local, recorded by
// scripts/record-screens.ts) replayed against the emulator: the same request through the device's
// APDU interface, the same inputs on the same screens; the emulator must show the same texts in the
// same order with the same line splits, at positions within the corpus test's tolerances, and end
// the command with the same status word.

import { describe, expect, it } from 'vitest';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { deviceOptions, EmulatedDevice, type TextEvent } from '../../../emulator/index.ts';
import { BitcoinAppClient } from '../../../host/bitcoin-app/client.ts';
import { LOCAL_FLOWS, loadRecordings, runRequest, type RecordedEvent, type Recording } from './local-flows.ts';

const recordings = loadRecordings(['nanosp', 'flex', 'nanox', 'stax']);

/**
 * Nano S Plus and Flex: the tolerances of corpus-screens.test.ts (their layout also serves the
 * corpus's ink boxes). Nano X and Stax are laid out as Speculos 0.27.1 reports them: lines and
 * heights exact, x and w within what fitted advance widths give. (Speculos 0.27.1 reports the very
 * same boxes for Nano X as for Nano S Plus.)
 */
const TOLERANCE = {
  nanosp: { x: 4, y: 2, w: 6, h: Infinity },
  flex: { x: 12, y: 12, w: 12, h: Infinity },
  nanox: { x: 1, y: 0, w: 3, h: 0 },
  stax: { x: 2, y: 0, w: 3, h: 0 },
} as const;

async function settle(device: EmulatedDevice, texts: string[]): Promise<TextEvent[]> {
  const want = JSON.stringify(texts);
  for (let i = 0; i < 2000; i++) {
    const shown = device.currentScreen();
    if (JSON.stringify(shown.map((e) => e.text)) === want) return shown;
    await new Promise((r) => setImmediate(r));
  }
  return device.currentScreen();
}

function expectPositions(rec: Recording, step: number, ours: TextEvent[], theirs: RecordedEvent[]): void {
  const t = TOLERANCE[rec.model];
  theirs.forEach((c, i) => {
    const e = ours[i]!;
    const at = `step ${step} "${c.text}"`;
    // A line rebuilt from STACK_LEFTOVERS has the box of the longer text the device drew.
    if (c.measured === false) return;
    expect(Math.abs(e.y - c.y), `y of ${at}`).toBeLessThanOrEqual(t.y);
    expect(Math.abs(e.x - c.x), `x of ${at}`).toBeLessThanOrEqual(t.x);
    expect(Math.abs(e.w - c.w), `w of ${at}`).toBeLessThanOrEqual(t.w);
    expect(Math.abs(e.h - c.h), `h of ${at}`).toBeLessThanOrEqual(t.h);
  });
}

describe('screens recorded on Speculos 0.27.1', () => {
  it('covers every recorded model with the same flows', () => {
    const names = (m: string) => recordings.filter((r) => r.model === m).map((r) => r.name);
    expect([...names('nanosp')].sort()).toEqual(LOCAL_FLOWS.map((f) => f.name).sort());
    for (const model of ['flex', 'nanox', 'stax']) expect(names(model), model).toEqual(names('nanosp'));
  });

  describe.each(recordings.map((r) => [`${r.model}/${r.name}`, r] as const))('%s', (_, rec) => {
    it('shows the recorded screens for the recorded inputs and ends the same way', async () => {
      const device = new EmulatedDevice({ ...deviceOptions({ model: rec.model, app: 'bitcoin-test' }), statusTimeoutMs: 0 });
      const client = new BitcoinAppClient(new LoopbackTransport(device));
      const done = runRequest(client, rec.request).then(
        (result) => ({ status: '9000', result }),
        (err: { statusCode?: number }) => ({ status: err.statusCode?.toString(16).padStart(4, '0') ?? String(err), result: undefined }),
      );
      for (const screen of rec.screens) {
        const texts = screen.events.map((e) => e.text);
        const shown = await settle(device, texts);
        expect(shown.map((e) => e.text), `step ${screen.step}`).toEqual(texts);
        expectPositions(rec, screen.step, shown, screen.events);
        const a = screen.action;
        if ('button' in a) device.pressButton(a.button);
        else if ('finger' in a) device.touch(a.finger[0], a.finger[1], { holdMs: a.delay === undefined ? 100 : a.delay * 1000 });
      }
      const end = await done;
      expect(end.status).toBe(rec.status);
      // Deterministic answers (addresses, xpubs, registration HMACs) are the real ones too.
      if (rec.request.kind !== 'message' && rec.request.kind !== 'psbt') expect(end.result).toBe(rec.result);
    });
  });
});
