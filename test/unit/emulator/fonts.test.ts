import { describe, expect, it } from 'vitest';
import { FLEX_FONTS, NANO_FONTS, STAX_FONTS, touchFonts } from '../../../emulator/ui/fonts.ts';
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

describe('Stax fonts fitted from our Speculos 0.27.1 recordings', () => {
  const stax = localFlows(loadRecordings(['stax']));
  const fonts: Partial<Record<Role, Font>> = { small: STAX_FONTS.small, large: STAX_FONTS.large };

  it('every wrapped value breaks where the device broke it', () => {
    const ws = localWraps(stax).filter((w) => w.role === 'large');
    expect(ws.length).toBeGreaterThan(80);
    for (const w of ws) expect(wrapText(STAX_FONTS.large, w.value, 352), JSON.stringify(w.value)).toEqual(w.lines);
  });

  it.each(['small', 'large'] as Role[])('%s: widths match the boxes within 1 px rms, every character measured', (role) => {
    const obs = observations(stax, 'local').filter((o) => o.role === role);
    expect(obs.length).toBeGreaterThan(40);
    const f = fonts[role]!;
    const rms = Math.sqrt(obs.reduce((s, o) => s + (textWidth(f, o.text) - f.inkTrim - o.w) ** 2, 0) / obs.length);
    expect(rms).toBeLessThan(1);
    for (const o of obs) for (const c of o.text) expect(f.advances[c], `${role} ${JSON.stringify(c)}`).toBeDefined();
  });
});
