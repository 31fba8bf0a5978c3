// Every review of the Speculos corpus (Nano S Plus and Flex), rendered by the emulator from the
// ReviewFlow the Bitcoin app builds, must show the recorded screens (same texts, same order, same line
// splits of long values) and the recorded inputs must walk it to approval.

import { describe, expect, it } from 'vitest';
import { statusOnly } from '../../../apdu/apdu.ts';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import type { DeviceApp } from '../../../emulator/app.ts';
import { EmulatedDevice, type TextEvent } from '../../../emulator/device.ts';
import type { ReviewFlow } from '../../../emulator/ui/review.ts';
import { allFlows, OCR_ARTIFACTS, reviewFor, type CorpusEvent, type CorpusFlow } from './corpus.ts';

function reviewApp(flow: ReviewFlow): DeviceApp {
  return {
    name: 'Bitcoin Test',
    version: '2.4.6',
    flags: Uint8Array.of(0),
    handle: async (_cmd, _io, ctx) => statusOnly((await ctx.review(flow)) ? 0x9000 : 0x6985),
  };
}

const flows = allFlows();

function walk(flow: CorpusFlow) {
  const review = reviewFor(flow)!;
  const device = new EmulatedDevice({ model: flow.model, apps: [() => reviewApp(review)], startApp: 'Bitcoin Test', statusTimeoutMs: 0 });
  return { device, answer: device.exchange(fromHex('e100000000')) };
}

/**
 * Positions are the device's, not the OCR's: within a few pixels, and the same reading order. The
 * width of a touch button's label is not compared: the corpus reports the text's ink, Speculos 0.27.1
 * (test/vectors/speculos-local), which the emulator follows, the button's width.
 */
function expectPlausible(model: string, ours: TextEvent[], theirs: CorpusEvent[]): void {
  const tolerance = model === 'nanosp' ? { x: 4, y: 2, w: 6 } : { x: 12, y: 12, w: 12 };
  theirs.forEach((c, i) => {
    const e = ours[i]!;
    if (!c.measured) return;
    const button = model !== 'nanosp' && /^(Approve|Confirm|Yes, reject)$/.test(c.text) && c.y >= 380;
    if (!button) expect(Math.abs(e.w - c.w), `w of "${c.text}"`).toBeLessThanOrEqual(tolerance.w);
    expect(Math.abs(e.x - c.x), `x of "${c.text}"`).toBeLessThanOrEqual(tolerance.x);
    expect(Math.abs(e.y - c.y), `y of "${c.text}"`).toBeLessThanOrEqual(tolerance.y);
  });
}

describe('corpus review screens', () => {
  it('covers every corpus flow with screens on both models', () => {
    const names = (m: string) => flows.filter((f) => f.model === m).map((f) => f.name);
    expect(names('nanosp')).toEqual(names('flex'));
    expect(names('nanosp').length).toBe(11);
    for (const f of flows) expect(reviewFor(f), f.name).toBeDefined();
    // Every listed artifact is used (loadCorpus throws if one is not found).
    expect(OCR_ARTIFACTS.every((a) => flows.some((f) => f.model === a.model && f.name === a.flow))).toBe(true);
  });

  describe.each(flows.map((f) => [`${f.model}/${f.name}`, f] as const))('%s', (_, flow) => {
    it('shows the recorded screens, and the recorded inputs approve', async () => {
      const { device, answer } = walk(flow);
      await Promise.resolve();
      for (const screen of flow.screens) {
        const shown = device.currentScreen();
        expect(shown.map((e) => e.text), `step ${screen.step}`).toEqual(screen.events.map((e) => e.text));
        expect(shown.every((e) => e.clear === false)).toBe(true);
        expectPlausible(flow.model, shown, screen.events);
        const a = screen.action;
        if ('button' in a) device.pressButton(a.button);
        else if ('finger' in a) device.touch(a.finger[0], a.finger[1], { holdMs: a.delay === undefined ? 100 : a.delay * 1000 });
      }
      expect(toHex(await answer)).toBe('9000');
    });
  });

  it('the recorded reject inputs refuse (Flex: Reject, Yes reject; Nano: the reject page)', async () => {
    for (const flow of flows) {
      const { device, answer } = walk(flow);
      await Promise.resolve();
      if (flow.model === 'flex') {
        device.touch(96, 554);
        device.touch(239, 462);
      } else {
        const pages = flow.screens.filter((s) => !('none' in s.action)).length;
        for (let i = 0; i < pages; i++) device.pressButton('right');
        device.pressButton('both');
      }
      expect(toHex(await answer), flow.name).toBe('6985');
    }
  });
});
