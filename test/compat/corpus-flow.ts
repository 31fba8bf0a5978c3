// Reads a recorded Nano S Plus flow of the Speculos corpus and drives its review screens through any
// client that can press buttons and hear screen events: each recorded screen's texts must appear
// before the recorded button is pressed.

import { readFileSync } from 'node:fs';

export interface CorpusScreen {
  step: number;
  events: { text: string }[];
  action: { button?: 'left' | 'right' | 'both'; none?: string };
}

export interface CorpusFlow {
  /** `[command hex, response hex]` pairs of the .apdus transcript. */
  exchanges: [string, string][];
  screens: CorpusScreen[];
}

export function loadCorpusFlow(model: string, name: string): CorpusFlow {
  const base = new URL(`../vectors/speculos-corpus/${model}/${name}`, import.meta.url);
  const lines = readFileSync(new URL(`${base.href}.apdus`), 'utf8').split('\n').filter(Boolean);
  const exchanges: [string, string][] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [cmd, res] = [lines[i]!, lines[i + 1]!];
    if (!cmd.startsWith('=> ') || !res.startsWith('<= ')) throw new Error(`${name}: expected "=> / <=" pairs, got ${cmd} / ${res}`);
    exchanges.push([cmd.slice(3), res.slice(3)]);
  }
  const json = JSON.parse(readFileSync(new URL(`${base.href}.json`), 'utf8')) as { screens?: CorpusScreen[] };
  return { exchanges, screens: json.screens ?? [] };
}

/** Texts heard so far, with a wait that polls until the wanted texts have all appeared after `from`. */
export class TextLog {
  readonly texts: string[] = [];

  push(text: string): void {
    this.texts.push(text);
  }

  async waitFor(wanted: readonly string[], from: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.texts.slice(from);
      if (wanted.every((t) => seen.includes(t))) return this.texts.length;
      if (Date.now() > deadline)
        throw new Error(`expected screen texts ${JSON.stringify(wanted)} after event ${from}, got ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Steps through the recorded screens: wait for each one's texts, then give its recorded input. */
export async function driveScreens(
  screens: readonly CorpusScreen[],
  log: TextLog,
  press: (button: 'left' | 'right' | 'both') => Promise<void>,
): Promise<void> {
  let from = 0;
  for (const screen of screens) {
    const mark = await log.waitFor(
      screen.events.map((e) => e.text),
      from,
    );
    from = mark;
    if (screen.action.button) await press(screen.action.button);
  }
}
