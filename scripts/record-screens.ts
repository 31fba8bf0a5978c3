// Records what real Speculos shows for the review flows of test/unit/emulator/local-flows.ts: every
// distinct screen (text events with their boxes, as GET /events reports them) and the input given on
// it, one JSON file per flow under test/vectors/speculos-local/<model>/. The emulator replays them in
// test/unit/emulator/local-screens.test.ts, and the fonts are fitted from them (font-fit.ts).
//
//   npx tsx scripts/record-screens.ts --elf FILE --model nanosp|nanox|flex|stax [--out DIR] [--only SUBSTRING] [--shots DIR]
//
// Navigation is by what is on screen, so it is the same for every flow: approve walks forward (Nano:
// right; touch: the footer's next arrow, 50 px from the bottom-right corner) to the approve page or button and selects it (touch "Hold to
// sign" is held 3 s); reject walks a Nano to its reject page and selects it, and on a touch device
// taps the footer's "Reject"/"Cancel" on the first page, then "Yes, reject" if asked. The screen
// after the last input (a status such as "Address verified") is recorded with `{none}`.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../cli/args.ts';
import { getModel, type DeviceModel } from '../devices/models.ts';
import { SpeculosBackend, type Screen, type TextEvent } from '../harness/index.ts';
import { BitcoinAppClient } from '../host/bitcoin-app/client.ts';
import { LOCAL_FLOWS, runRequest, type LocalFlow, type LocalModel, type RecordedEvent, type RecordedScreen, type Recording, type ScreenAction } from '../test/unit/emulator/local-flows.ts';

const MODELS: readonly LocalModel[] = ['nanosp', 'nanox', 'flex', 'stax'];
const USAGE = `record-screens.ts --elf FILE --model ${MODELS.join('|')} [--out DIR] [--only SUBSTRING] [--shots DIR]`;
const SPEC = { elf: 'value', model: 'value', out: 'value', only: 'value', shots: 'value' } as const;

const NANO_APPROVE = /^(Approve|Approve public key|Register account|Sign transaction|Sign message|Confirm|Accept)$/;
const NANO_REJECT = /^(Reject|Reject .*|Cancel)$/;
const TOUCH_ACTION = /^(Approve|Confirm|Hold to sign)$/;
const TOUCH_REJECT = /^(Reject|Cancel)$/;
const HOME = /app is ready$|^Quit app$|^Bitcoin Testnet$|^App info$/;
/** NBGL's touch footer is 96 px high on Flex and Stax; its next arrow is near the right end. */
const FOOTER_H = 96;
const nextTap = (m: DeviceModel): [number, number] => [m.screen.width - 50, m.screen.height - 50];
const HOLD_S = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = (events: readonly TextEvent[]) => events.map((e) => `${e.text}@${e.x},${e.y},${e.w},${e.h}`).join('|');

/** The next screen that differs from `before` and stays the same for 0.6 s. */
async function nextScreen(screen: Screen, before: string, timeoutMs = 15_000): Promise<TextEvent[]> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let since = 0;
  for (;;) {
    const events = await screen.current();
    const k = key(events);
    if (k !== last) {
      last = k;
      since = Date.now();
    } else if (events.length > 0 && k !== before && Date.now() - since >= 600) return events;
    if (Date.now() > deadline) throw new Error(`no new screen within ${timeoutMs} ms (showing ${JSON.stringify(events.map((e) => e.text))})`);
    await sleep(100);
  }
}

const centre = (e: TextEvent, width: number): [number, number] => [Math.min(width - 1, Math.round(e.x + e.w / 2)), Math.round(e.y + e.h / 2)];

/** The input for this screen, or undefined when walking on. `done`: the flow's last input. */
function decide(model: DeviceModel, flow: LocalFlow, events: TextEvent[], footerTapped: boolean): { action: ScreenAction; done: boolean } {
  const joined = events.map((e) => e.text).join(' ');
  const width = model.screen.width;
  if (model.input === 'buttons') {
    const target = flow.outcome === 'approve' ? NANO_APPROVE : NANO_REJECT;
    return target.test(joined) ? { action: { button: 'both' }, done: true } : { action: { button: 'right' }, done: false };
  }
  if (flow.outcome === 'approve') {
    const button = events.filter((e) => TOUCH_ACTION.test(e.text)).sort((a, b) => b.y - a.y)[0];
    if (!button) return { action: { finger: nextTap(model) }, done: false };
    const at = centre(button, width);
    return { action: button.text === 'Hold to sign' ? { finger: at, delay: HOLD_S } : { finger: at }, done: true };
  }
  const confirm = events.find((e) => e.text === 'Yes, reject');
  if (confirm) return { action: { finger: centre(confirm, width) }, done: true };
  const footer = events.find((e) => TOUCH_REJECT.test(e.text) && e.y >= model.screen.height - FOOTER_H);
  if (!footer || footerTapped) throw new Error(`reject: expected a Reject/Cancel footer or "Yes, reject", got ${JSON.stringify(joined)}`);
  // After the footer, the next screen is either the confirmation or already the result.
  return { action: { finger: centre(footer, width) }, done: false };
}

async function act(screen: Screen, action: ScreenAction): Promise<void> {
  if ('button' in action) await screen.press(action.button);
  else if ('finger' in action) await screen.touch(action.finger[0], action.finger[1], action.delay === undefined ? undefined : action.delay * 1000);
}

async function recordFlow(backend: SpeculosBackend, model: LocalModel, flow: LocalFlow, shots: string | undefined): Promise<Recording> {
  const screen = backend.screen;
  const client = new BitcoinAppClient(backend.transport);
  const call = runRequest(client, flow.request).then(
    (result) => ({ status: '9000', result }),
    (err: { statusCode?: number; message?: string }) => ({ status: err.statusCode?.toString(16).padStart(4, '0') ?? `error: ${err.message}` }),
  );
  const screens: RecordedScreen[] = [];
  let before = key(await screen.current());
  let final = false;
  let footerTapped = false;
  for (let step = 1; step < 80; step++) {
    // after the last input, the result screen comes once the command has ended (a slow signing
    // shows "Signing transaction" for longer than a screen takes to settle)
    if (final) await call;
    const events = await nextScreen(screen, before);
    if (shots) writeFileSync(join(shots, `${model}-${flow.name}-${step}.png`), await screen.screenshot());
    const plain: RecordedEvent[] = events.map(({ text, x, y, w, h }) => ({ text, x, y, w, h }));
    const isResult = final || events.some((e) => HOME.test(e.text)) || (footerTapped && !events.some((e) => e.text === 'Yes, reject'));
    if (isResult) {
      screens.push({ step, events: plain, action: { none: 'no input (screen after the last input)' } });
      break;
    }
    const device = getModel(model);
    const { action, done } = decide(device, flow, events, footerTapped);
    footerTapped ||= flow.outcome === 'reject' && device.input === 'touch';
    final = done;
    screens.push({ step, events: plain, action });
    before = key(events);
    await act(screen, action);
  }
  const outcome = await call;
  // Back to the app's home screen before the next flow.
  await waitHome(screen);
  return {
    name: flow.name,
    about: flow.about,
    model,
    request: flow.request,
    outcome: flow.outcome,
    ...outcome,
    screens,
  };
}

async function waitHome(screen: Screen): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if ((await screen.current()).some((e) => HOME.test(e.text))) return;
    await sleep(200);
  }
  throw new Error('the app did not return to its home screen');
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, SPEC, USAGE);
  const elf = args.values.get('elf');
  const model = args.values.get('model');
  if (!elf || !model || !MODELS.includes(model as LocalModel)) throw new Error(`usage: ${USAGE}`);
  const out = join(args.values.get('out') ?? new URL('../test/vectors/speculos-local/', import.meta.url).pathname, model);
  const shots = args.values.get('shots');
  if (shots) mkdirSync(shots, { recursive: true });
  mkdirSync(out, { recursive: true });
  const only = args.values.get('only');
  const flows = LOCAL_FLOWS.filter((f) => !only || f.name.includes(only));
  let backend = await SpeculosBackend.start({ elf, model: model as LocalModel });
  try {
    await waitHome(backend.screen);
    for (const flow of flows) {
      try {
        const rec = await recordFlow(backend, model as LocalModel, flow, shots);
        writeFileSync(join(out, `${flow.name}.json`), `${JSON.stringify(rec, null, 1)}\n`);
        console.log(`${model}/${flow.name}: ${rec.screens.length} screens, ${rec.status}`);
      } catch (err) {
        console.error(`${model}/${flow.name}: ${(err as Error).message}`);
        await backend.close();
        backend = await SpeculosBackend.start({ elf, model: model as LocalModel });
        await waitHome(backend.screen);
      }
    }
  } finally {
    await backend.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
