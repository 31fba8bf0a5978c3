// The Speculos corpus (Ledger Bitcoin app 2.4.6 testnet, Nano S Plus and Flex) replayed against the
// emulated device: every host line is sent, every device line must come back identical (client
// commands included), the review screens must carry the recorded texts in the recorded order, and
// the recorded navigation (buttons / taps / holds) must be what approves them. Signatures, MuSig2
// pubnonces and partial signatures recorded under `--deterministic-rng 42` must come back byte for
// byte, which needs the whole Speculos random stream modelled (emulator/speculos-rng.ts): after
// every device line the device's stream position must equal the number of rand() calls Speculos
// had made at that point (test/vectors/speculos-rng, measured on every flow with seed 42).

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../apdu/bytes.ts';
import { APPS } from '../../emulator/apps/index.ts';
import { EmulatedDevice, type TextEvent } from '../../emulator/device.ts';

const corpus = new URL('../vectors/speculos-corpus/', import.meta.url);
const rngPositions = new URL('../vectors/speculos-rng/', import.meta.url);
/** The seed the stream positions were measured with (flows recorded without one draw no randomness the host sees). */
const MEASURED_RNG_SEED = 42;

interface Screen {
  step: number;
  events: { text: string }[];
  action: { button?: 'left' | 'right' | 'both'; finger?: [number, number]; delay?: number; none?: string };
}

// Text recognition artifacts in the corpus (README "Format"): stale characters left on a line.
// Each entry maps the recorded text to what the device really shows; nothing else is forgiven.
const OCR_ARTIFACTS: Record<string, string | null> = {
  'tr(@0/**,pk(@1/**))0/*': 'tr(@0/**,pk(@1/**))',
  'tr(musig(@0,@1)/**)0/*': 'tr(musig(@0,@1)/**)',
  'tr(@0/**,pk(@1/**))0/': 'tr(@0/**,pk(@1/**))',
  'tr(musig(@0,@1)/**)0/': 'tr(musig(@0,@1)/**)',
  '*': null,
  '**': null,
  ',@1/**))': null,
};

/** Device lines whose bytes come from the device's randomness: asserted like every other line. */
const RNG_LINES: Record<string, number[]> = {
  'sign-psbt-taproot-keypath': [338],
  'sign-psbt-musig2-2of2': [290, 646],
};

function expectedTexts(screen: Screen): string[] {
  const out: string[] = [];
  for (const e of screen.events) {
    const fixed = e.text in OCR_ARTIFACTS ? OCR_ARTIFACTS[e.text] : e.text;
    if (fixed !== null && fixed !== undefined) out.push(fixed);
  }
  return out;
}

function press(device: EmulatedDevice, action: Screen['action']): void {
  if (action.button) device.pressButton(action.button);
  else if (action.finger) device.touch(action.finger[0], action.finger[1], { holdMs: action.delay ? action.delay * 1000 : 100 });
}

for (const model of ['nanosp', 'flex'] as const) {
  const dir = new URL(`${model}/`, corpus);
  const flows = readdirSync(dir).filter((f) => f.endsWith('.apdus')).map((f) => f.slice(0, -6));
  describe(`Speculos corpus on ${model}`, () => {
    it.each(flows)('%s', async (flow) => {
      const meta = JSON.parse(readFileSync(new URL(`${flow}.json`, dir), 'utf8'));
      const args: string[] = meta.speculos_args;
      const rngAt = args.indexOf('--deterministic-rng');
      const rngSeed = rngAt >= 0 ? Number(args[rngAt + 1]) : MEASURED_RNG_SEED;
      const measured: { seed: number; positions: Record<string, number> } = JSON.parse(
        readFileSync(new URL(`${model}/${flow}.json`, rngPositions), 'utf8'),
      );
      expect(measured.seed).toBe(rngSeed);
      const device = new EmulatedDevice({
        model,
        apps: { 'Bitcoin Test': APPS['bitcoin-test']!.create },
        startApp: 'Bitcoin Test',
        statusTimeoutMs: 0,
        deterministicRng: rngSeed,
      });
      const screens: Screen[] = meta.screens;
      const actions = screens.filter((s) => !s.action.none).map((s) => s.action);
      const seen: TextEvent[] = [];
      device.on('text', (e: TextEvent) => seen.push(e));
      const lines = readFileSync(new URL(`${flow}.apdus`, dir), 'utf8').split('\n').filter(Boolean);
      for (let n = 0; n < lines.length; n += 2) {
        const host = lines[n]!.slice(3);
        const recorded = lines[n + 1]!.slice(3);
        const pending = device.exchange(fromHex(host));
        // answer a review the way the recording did, one recorded input per screen
        let settled = false;
        void pending.then(() => (settled = true));
        await new Promise((r) => setTimeout(r, 0));
        while (!settled && actions.length > 0) {
          press(device, actions.shift()!);
          await new Promise((r) => setTimeout(r, 0));
        }
        const got = toHex(await pending);
        const what = RNG_LINES[flow]?.includes(n + 2) ? ' (device randomness)' : '';
        expect(device.rngPosition, `${flow} line ${n + 2}: Speculos rand() calls so far`).toBe(measured.positions[n + 2]);
        expect(got, `${flow} line ${n + 2}${what}`).toBe(recorded);
      }
      expect(actions, `${flow}: recorded inputs left over`).toEqual([]);
      const shown = seen.map((e) => e.text);
      // the recorded screens appear in order among what the device drew; within one screen the
      // draw order of the items is the renderer's (Speculos reports footer items before buttons)
      let at = 0;
      for (const screen of screens) {
        let end = at;
        for (const text of expectedTexts(screen)) {
          const found = shown.indexOf(text, at);
          expect(found, `${flow} step ${screen.step}: screen text "${text}"`).toBeGreaterThanOrEqual(0);
          end = Math.max(end, found + 1);
        }
        at = end;
      }
    });
  });
}
