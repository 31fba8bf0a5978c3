// How the advance widths in emulator/ui/fonts.ts were obtained (run: npx tsx test/unit/emulator/font-fit.ts).
//
// Speculos reports each text item with its box width w. For every corpus event we know the text and
// the font it is drawn in (from its place on the page: Nano items bold and values regular; Flex items,
// footer and buttons small, values and titles large), so w = sum of the advances of its characters
// minus a per-font constant (the box is the ink, without the side bearings of the first and last
// glyph). We solve these equations per font by least squares (with a weak pull of every advance
// toward the font's mean width, which keeps characters seen only a few times sane), round to whole
// pixels, and then adjust by +-1 px steps (hill climbing) until every line break the corpus shows is
// reproduced: each wrapped value line fits the text width and would overflow with the next character
// (or, for a line ending after a delimiter, with the next word).
//
// Two data sets: the shared corpus (test/vectors/speculos-corpus, ink boxes) and our own recordings on
// Speculos 0.27.1 (test/vectors/speculos-local, scripts/record-screens.ts), whose boxes are a few
// pixels wider than the ink; each set gets its own box offset, the advances are shared.

import { textWidth, wrapText, type Font } from '../../../emulator/ui/text.ts';
import { allFlows, reviewFor, type CorpusEvent, type CorpusFlow, type CorpusModel } from './corpus.ts';
import { loadRecordings, type LocalModel, type RecordedEvent, type Recording } from './local-flows.ts';

export type Role = 'title' | 'body' | 'small' | 'large';

export type DataSet = 'corpus' | 'local';

export interface Observation {
  role: Role;
  text: string;
  w: number;
  set: DataSet;
}

export interface Wrap {
  role: Role;
  value: string;
  lines: string[];
}

/** Button models: one bold and one regular font. */
const isNano = (model: CorpusFlow['model']): boolean => model === 'nanosp' || model === 'nanox';
/** Where a touch model's footer starts: its texts are in the small font. */
const footerTop = (model: CorpusFlow['model']): number => (model === 'stax' ? 576 : 504);

/** The font of each event, from its place on the page. */
export function roles(model: CorpusFlow['model'], events: CorpusEvent[]): Role[] {
  if (isNano(model)) {
    const pairPage = (events[0]?.y ?? 99) <= 6;
    return events.map((_, i) => (pairPage && i > 0 ? 'body' : 'title'));
  }
  // A page of pairs starts with an item at the top left (Flex: corpus y 44, Speculos 0.27.1 y 40; Stax y 56).
  const first = events[0];
  const pairPage = first !== undefined && first.y < 60 && first.x <= 40;
  const out: Role[] = [];
  events.forEach((e, i) => {
    if (e.y >= footerTop(model) || /^Swipe to /.test(e.text) || (/^(Approve|Confirm|Yes, reject)$/.test(e.text) && e.y >= 380)) return out.push('small');
    if (!pairPage) return out.push('large');
    const prev = events[i - 1];
    if (!prev) return out.push('small');
    // after a value line, the next item is a pair gap further down than the next value line would be
    out.push(out[i - 1] === 'small' ? 'large' : e.y - prev.y >= (model === 'stax' ? 46 : 60) ? 'small' : 'large');
  });
  return out;
}

export function observations(flows: CorpusFlow[], set: DataSet = 'corpus'): Observation[] {
  const seen = new Set<string>();
  const out: Observation[] = [];
  for (const flow of flows)
    for (const screen of flow.screens) {
      const r = roles(flow.model, screen.events);
      screen.events.forEach((e, i) => {
        const key = `${r[i]}|${e.text}|${e.w}`;
        if (!e.measured || seen.has(key)) return;
        seen.add(key);
        // Stax and Nano X boxes end before a line's trailing delimiters (Nano S Plus, Flex and the corpus are fitted as they were)
        out.push({ role: r[i]!, text: flow.model === 'stax' || flow.model === 'nanox' ? e.text.replace(/[ _-]+$/, '') : e.text, w: e.w, set });
      });
    }
  return out;
}

/**
 * The local recordings in the corpus's shape. Speculos 0.27.1 reports a button's label (and the
 * "Go back to …" footer of a reject question) as wide as the button: not a measurement of the text.
 */
export function localFlows(recordings: Recording[] = loadRecordings()): CorpusFlow[] {
  const button = (model: Recording['model'], e: RecordedEvent): boolean => !isNano(model) && /^(Approve|Confirm|Yes, reject|Go back.*)$/.test(e.text) && e.w >= 250;
  // On Stax the label's x is where NBGL put the text centred in its button, whose right edge is the
  // margin (x 376): the text's width is twice the distance to the button's centre (+-1 px).
  const fromButton = (e: RecordedEvent): CorpusEvent => ({ ...e, w: 2 * (376 - e.w / 2 - e.x), measured: e.measured !== false });
  return recordings.map((rec) => ({
    name: rec.name,
    model: rec.model,
    json: { inputs: {}, results: {} },
    screens: rec.screens.map((s) => ({
      step: s.step,
      action: s.action,
      events: s.events.map((e) =>
        !button(rec.model, e) ? { ...e, measured: e.measured !== false } : rec.model === 'stax' ? fromButton(e) : { ...e, measured: false },
      ),
    })),
  }));
}

/**
 * The value lines of the local recordings. A line ending after a delimiter keeps it, so a value is
 * its lines joined; Nano "(i/n)" pages are joined.
 */
export function localWraps(flows: CorpusFlow[]): Wrap[] {
  const out: Wrap[] = [];
  for (const flow of flows) {
    const nano = isNano(flow.model);
    let open: Wrap | undefined;
    for (const screen of flow.screens) {
      const r = roles(flow.model, screen.events);
      screen.events.forEach((e, i) => {
        if (nano ? !(i === 0 && r[1] === 'body') : !(r[i] === 'small' && r[i + 1] === 'large' && e.y < footerTop(flow.model))) return;
        const lines: string[] = [];
        for (let k = i + 1; k < screen.events.length && r[k] === (nano ? 'body' : 'large'); k++) lines.push(screen.events[k]!.text);
        const page = /^(.*) \((\d+)\/\d+\)$/.exec(e.text);
        if (nano && page && page[2] !== '1' && open) open.lines.push(...lines);
        else out.push((open = { role: nano ? 'body' : 'large', value: '', lines }));
      });
    }
  }
  for (const w of out) w.value = w.lines.join('');
  return out;
}

/** The value lines the corpus shows for each pair of each review, pairs taken in order. */
export function wraps(flows: CorpusFlow[]): Wrap[] {
  const out: Wrap[] = [];
  for (const flow of flows) {
    const review = reviewFor(flow);
    if (!review) continue;
    const nano = flow.model === 'nanosp';
    // Every (item, value lines) the screens show, in order; Nano "(i/n)" pages are joined.
    const shown: { item: string; lines: string[] }[] = [];
    for (const screen of flow.screens) {
      const r = roles(flow.model, screen.events);
      screen.events.forEach((e, i) => {
        if (nano ? !(i === 0 && r[1] === 'body') : !(r[i] === 'small' && r[i + 1] === 'large' && e.y < 504)) return;
        const lines: string[] = [];
        for (let k = i + 1; k < screen.events.length && r[k] === (nano ? 'body' : 'large'); k++) lines.push(screen.events[k]!.text);
        const page = /^(.*) \((\d+)\/\d+\)$/.exec(e.text);
        if (nano && page && page[2] !== '1') shown.at(-1)!.lines.push(...lines);
        else shown.push({ item: page ? page[1]! : e.text, lines });
      });
    }
    const pairs = review.pairs.filter((p) => !p.centered);
    if (shown.length !== pairs.length) throw new Error(`${flow.model}/${flow.name}: ${shown.length} pairs shown, ${pairs.length} in the review`);
    pairs.forEach((pair, i) => {
      const { item, lines } = shown[i]!;
      if (item !== pair.item || (lines.join('') !== pair.value && lines.join(' ') !== pair.value))
        throw new Error(`${flow.model}/${flow.name}: shown ${item}=${JSON.stringify(lines)}, review ${pair.item}=${JSON.stringify(pair.value)}`);
      out.push({ role: nano ? 'body' : 'large', value: pair.value, lines });
    });
  }
  return out;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

export interface FittedFont {
  advances: Record<string, number>;
  /** Ink box width = advance sum - bearing (corpus boxes). */
  bearing: number;
  /** The same for the boxes of Speculos 0.27.1 (local recordings). */
  localBearing: number;
  fallback: number;
  rms: number;
  violations: number;
}

const DELIMITERS = new Set([' ', '-', '_']);

/**
 * What a wrapped line says about the advances: `fits` sums to at most the width; `overflows` (the
 * line with what NBGL tried to add before breaking: the next character, or after a delimiter the
 * next word) sums to more.
 */
export function breakConstraints(w: Wrap): { fits: string; overflows?: string }[] {
  return w.lines.map((line, i) => {
    const next = w.lines[i + 1];
    if (next === undefined) return { fits: line };
    const last = line.at(-1)!;
    if (!DELIMITERS.has(last)) return { fits: line, overflows: line + next[0]! };
    // The overflowing character lies in the next word (or is the delimiter ending this line).
    const word = [...next].findIndex((c) => DELIMITERS.has(c));
    return { fits: line.slice(0, -1), overflows: line + (word < 0 ? next : next.slice(0, word)) };
  });
}

export function fitFont(obs: Observation[], wrapsOfFont: Wrap[], maxWidth: number, prior?: { advances: Record<string, number>; scale: number; weight: number }): FittedFont {
  const chars = [...new Set(obs.flatMap((o) => [...o.text]).concat(wrapsOfFont.flatMap((w) => [...w.value])))].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  const sets: DataSet[] = ['corpus', 'local'];
  const n = chars.length + sets.length;
  const bearingCol = (set: DataSet) => chars.length + sets.indexOf(set);
  const mean = obs.reduce((s, o) => s + o.w, 0) / obs.reduce((s, o) => s + [...o.text].length, 0);
  const ata = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const atb = new Array<number>(n).fill(0);
  for (const o of obs) {
    const row = new Array<number>(n).fill(0);
    for (const c of o.text) row[index.get(c)!]! += 1;
    row[bearingCol(o.set)] = -1;
    for (let i = 0; i < n; i++) {
      if (row[i] === 0) continue;
      atb[i]! += row[i]! * o.w;
      for (let j = 0; j < n; j++) ata[i]![j]! += row[i]! * row[j]!;
    }
  }
  // Weak pull toward the mean width, or toward a sibling font's advances (scaled) when given.
  chars.forEach((c, i) => {
    const lambda = prior ? prior.weight : 0.05;
    const target = prior?.advances[c] !== undefined ? prior.advances[c]! * prior.scale : mean;
    ata[i]![i]! += lambda;
    atb[i]! += lambda * target;
  });
  for (const set of sets) ata[bearingCol(set)]![bearingCol(set)]! += 1e-6;
  const x = solve(ata, atb);
  const idx = (text: string): number[] => [...text].map((c) => index.get(c)!);
  const lines = wrapsOfFont.flatMap((w) => breakConstraints(w).map((c) => ({ fits: idx(c.fits), overflows: c.overflows === undefined ? undefined : idx(c.overflows) })));
  const inks = obs.map((o) => ({ chars: idx(o.text), w: o.w, bearing: bearingCol(o.set) }));
  const adv = Int32Array.from(chars, (_, i) => Math.max(1, Math.round(x[i]!)));
  const bearings = sets.map((set) => Math.round(x[bearingCol(set)]!));
  const bearingOf = (col: number) => bearings[col - chars.length]!;
  const sum = (cs: number[]): number => cs.reduce((s, i) => s + adv[i]!, 0);
  const violationCount = (): number => {
    let v = 0;
    for (const { fits, overflows } of lines) if (sum(fits) > maxWidth || (overflows !== undefined && sum(overflows) <= maxWidth)) v++;
    return v;
  };
  const energy = (): number => {
    let e = 1000 * violationCount();
    for (const { chars: cs, w, bearing } of inks) e += 0.5 * (sum(cs) - bearingOf(bearing) - w) ** 2;
    chars.forEach((_, i) => (e += 0.5 * (adv[i]! - x[i]!) ** 2));
    return e;
  };
  // Simulated annealing over whole-pixel advances (seeded, so the tables are reproducible): the
  // least-squares solution rounded is the start, single-pixel moves, geometric cooling.
  let seed = 1;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let current = energy();
  let best = current;
  let bestAdv = adv.slice();
  for (let step = 0, steps = 200_000; step < steps; step++) {
    const t = 20 * (0.02 / 20) ** (step / steps);
    const i = Math.floor(rand() * chars.length);
    const d = rand() < 0.5 ? 1 : -1;
    if (adv[i]! + d < 1) continue;
    adv[i]! += d;
    const e = energy();
    if (e <= current || rand() < Math.exp((current - e) / t)) {
      current = e;
      if (e < best) {
        best = e;
        bestAdv = adv.slice();
      }
    } else adv[i]! -= d;
  }
  adv.set(bestAdv);
  const advances: Record<string, number> = Object.fromEntries(chars.map((c, i) => [c, adv[i]!]));
  const sse = inks.reduce((s, { chars: cs, w, bearing }) => s + (sum(cs) - bearingOf(bearing) - w) ** 2, 0);
  return { advances, bearing: bearings[0]!, localBearing: bearings[1]!, fallback: Math.round(mean), rms: Math.sqrt(sse / obs.length), violations: violationCount() };
}

function meanWidth(obs: Observation[]): number {
  return obs.reduce((s, o) => s + o.w, 0) / obs.reduce((s, o) => s + [...o.text].length, 0);
}

export const MAX_WIDTH: Record<Role, number> = { title: 114, body: 114, small: 416, large: 416 };

/**
 * A model with our recordings only (Stax, Nano X): each font is fitted from that model's boxes, with
 * the Nano S Plus / Flex font of the same role (scaled by the ratio of mean widths) as the prior.
 */
export function fitRecordedModel(model: 'stax' | 'nanox', priorFonts: Record<Role, Record<string, number>>): Partial<Record<Role, FittedFont>> {
  const local = localFlows(loadRecordings([model]));
  const obs = observations(local, 'local');
  const ws = localWraps(local);
  const maxWidth = model === 'stax' ? 352 : MAX_WIDTH.body;
  const fits: Partial<Record<Role, FittedFont>> = {};
  for (const role of isNano(model) ? (['title', 'body'] as Role[]) : (['small', 'large'] as Role[])) {
    const mine = obs.filter((o) => o.role === role);
    const prior = priorFonts[role];
    const priorMean = mine.reduce((s, o) => s + textWidth({ name: '', height: 0, inkTrim: 0, fallback: 0, advances: prior }, o.text), 0) / mine.reduce((s, o) => s + o.w, 0);
    const fit = fitFont(mine, ws.filter((w) => w.role === role), maxWidth, { advances: prior, scale: 1 / priorMean, weight: 2 });
    fits[role] = fit;
    for (const w of ws.filter((w) => w.role === role)) {
      const got = wrapText({ name: 'fit', height: 0, inkTrim: 0, fallback: fit.fallback, advances: fit.advances }, w.value, maxWidth);
      if (got.join('|') !== w.lines.join('|')) console.log('  mismatch', JSON.stringify(w.lines), '->', JSON.stringify(got));
    }
    console.log(`${model} ${role}: ${mine.length} observations, rms ${fit.rms.toFixed(2)} px, bearing ${fit.localBearing}, fallback ${fit.fallback}, wrap mismatches ${fit.violations}`);
    console.log(JSON.stringify(fit.advances));
  }
  return fits;
}

if (import.meta.url === `file://${process.argv[1]}` && (process.argv[2] === 'stax' || process.argv[2] === 'nanox')) {
  const { FLEX_FONTS, NANO_FONTS } = await import('../../../emulator/ui/fonts.ts');
  fitRecordedModel(process.argv[2], { title: NANO_FONTS.title.advances, body: NANO_FONTS.body.advances, small: FLEX_FONTS.small.advances, large: FLEX_FONTS.large.advances });
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const flows = allFlows();
  const local = localFlows();
  const obs = [...observations(flows), ...observations(local, 'local')];
  const ws = [...wraps(flows), ...localWraps(local)];
  const fits: Partial<Record<Role, FittedFont>> = {};
  // Regular Nano and large Flex text have the most samples; the bold Nano and small Flex fonts are
  // fitted with their sibling's advances (scaled by the ratio of mean widths) as the prior.
  for (const [role, sibling] of [['body'], ['large'], ['title', 'body'], ['small', 'large']] as [Role, Role?][]) {
    const mine = obs.filter((o) => o.role === role);
    const base = sibling ? fits[sibling]! : undefined;
    const prior = base && { advances: base.advances, scale: meanWidth(mine) / meanWidth(obs.filter((o) => o.role === sibling)), weight: 2 };
    const fit = fitFont(mine, ws.filter((w) => w.role === role), MAX_WIDTH[role], prior);
    fits[role] = fit;
    for (const w of ws.filter((w) => w.role === role)) {
      const got = wrapText({ name: 'fit', height: 0, inkTrim: 0, fallback: fit.fallback, advances: fit.advances }, w.value, MAX_WIDTH[role]);
      if (got.join('|') !== w.lines.join('|')) console.log('  mismatch', JSON.stringify(w.lines), '->', JSON.stringify(got));
    }
    console.log(`${role}: ${obs.filter((o) => o.role === role).length} observations, rms ${fit.rms.toFixed(2)} px, bearing ${fit.bearing} (local ${fit.localBearing}), fallback ${fit.fallback}, wrap mismatches ${fit.violations}`);
    console.log(JSON.stringify(fit.advances));
  }
}
