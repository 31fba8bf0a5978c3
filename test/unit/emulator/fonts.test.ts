import { describe, expect, it } from 'vitest';
import { FLEX_FONTS, NANO_FONTS, NANOX_FONTS, STAX_FONTS, touchFonts } from '../../../emulator/ui/fonts.ts';
import { textWidth, wrapText, type Font } from '../../../emulator/ui/text.ts';
import { allFlows } from './corpus.ts';
import { localFlows, localWraps, MAX_WIDTH, observations, wraps, type Role } from './font-fit.ts';
import { loadRecordings } from './local-flows.ts';

const FONTS: Record<Role, Font> = { title: NANO_FONTS.title, body: NANO_FONTS.body, small: FLEX_FONTS.small, large: FLEX_FONTS.large };
const flows = allFlows();
const local = localFlows();

describe('fonts fitted from the corpus', () => {
  it.each(['body', 'large'] as Role[])('%s: every wrapped value of the corpus breaks where the device broke it', (role) => {
    const ws = wraps(flows).filter((w) => w.role === role);
    expect(ws.length).toBeGreaterThan(10);
    for (const w of ws) expect(wrapText(FONTS[role], w.value, MAX_WIDTH[role])).toEqual(w.lines);
  });

  it.each(['body', 'large'] as Role[])('%s: every wrapped value recorded on Speculos 0.27.1 breaks where the device broke it', (role) => {
    const ws = localWraps(local).filter((w) => w.role === role);
    expect(ws.length).toBeGreaterThan(80);
    for (const w of ws) expect(wrapText(FONTS[role], w.value, MAX_WIDTH[role]), JSON.stringify(w.value)).toEqual(w.lines);
  });

  it.each(['title', 'body', 'small', 'large'] as Role[])('%s: widths match the boxes of Speculos 0.27.1 within 2 px rms (after their own offset)', (role) => {
    const obs = observations(local, 'local').filter((o) => o.role === role);
    const f = FONTS[role];
    const residuals = obs.map((o) => textWidth(f, o.text) - o.w);
    const offset = residuals.reduce((a, b) => a + b, 0) / residuals.length;
    const rms = Math.sqrt(residuals.reduce((s, r) => s + (r - offset) ** 2, 0) / residuals.length);
    expect(rms).toBeLessThan(2);
    for (const o of obs) for (const c of o.text) expect(f.advances[c], `${role} ${JSON.stringify(c)}`).toBeDefined();
  });

  it.each(['title', 'body', 'small', 'large'] as Role[])('%s: widths match the reported boxes within 2 px rms', (role) => {
    const obs = observations(flows).filter((o) => o.role === role);
    const f = FONTS[role];
    const rms = Math.sqrt(obs.reduce((s, o) => s + (textWidth(f, o.text) - f.inkTrim - o.w) ** 2, 0) / obs.length);
    expect(rms).toBeLessThan(2);
    // Every character the corpus shows in this font has its own advance.
    for (const o of obs) for (const c of o.text) expect(f.advances[c], `${role} ${JSON.stringify(c)}`).toBeDefined();
  });

  it('wraps after spaces (kept on the line), hyphens and underscores, and cuts words longer than a line', () => {
    const mono: Font = { name: 'mono', height: 1, fallback: 1, inkTrim: 0, advances: {} };
    expect(wrapText(mono, 'abc def ghi', 7)).toEqual(['abc def ', 'ghi']);
    expect(wrapText(mono, 'ab-cdef', 4)).toEqual(['ab-', 'cdef']);
    expect(wrapText(mono, 'ab_cdef', 4)).toEqual(['ab_', 'cdef']);
    expect(wrapText(mono, 'abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText(mono, 'To: abcdefghij', 6)).toEqual(['To: ', 'abcdef', 'ghij']);
    expect(wrapText(mono, 'a\nbb', 4)).toEqual(['a', 'bb']);
  });

  it('Apex P fonts are scaled copies of Flex\'s', () => {
    expect(touchFonts('apex').large.advances.m).toBe(Math.round(FLEX_FONTS.large.advances.m! * (2 / 3)));
    expect(touchFonts('flex')).toBe(FLEX_FONTS);
  });
});

describe.each([
  { model: 'stax' as const, fonts: { small: STAX_FONTS.small, large: STAX_FONTS.large } as Partial<Record<Role, Font>>, value: 'large' as Role, width: 352, rms: { small: 1, large: 1 } as Partial<Record<Role, number>> },
  { model: 'nanox' as const, fonts: { title: NANOX_FONTS.title, body: NANOX_FONTS.body } as Partial<Record<Role, Font>>, value: 'body' as Role, width: 114, rms: { title: 1.5, body: 0.5 } as Partial<Record<Role, number>> },
])('$model fonts fitted from our Speculos 0.27.1 recordings', ({ model, fonts, value, width, rms }) => {
  const flows = localFlows(loadRecordings([model]));

  it('every wrapped value breaks where the device broke it', () => {
    const ws = localWraps(flows).filter((w) => w.role === value);
    expect(ws.length).toBeGreaterThan(80);
    for (const w of ws) expect(wrapText(fonts[value]!, w.value, width), JSON.stringify(w.value)).toEqual(w.lines);
  });

  it.each(Object.keys(fonts) as Role[])('%s: widths match the boxes (rms bound per font), every character measured', (role) => {
    const obs = observations(flows, 'local').filter((o) => o.role === role);
    expect(obs.length).toBeGreaterThan(40);
    const f = fonts[role]!;
    const error = Math.sqrt(obs.reduce((s, o) => s + (textWidth(f, o.text) - f.inkTrim - o.w) ** 2, 0) / obs.length);
    expect(error).toBeLessThan(rms[role]!);
    for (const o of obs) for (const c of o.text) expect(f.advances[c], `${role} ${JSON.stringify(c)}`).toBeDefined();
  });
});
