// Text measurement and wrapping with proportional fonts, as NBGL's nbgl_getTextNbLinesInWidth does it
// (ledger-secure-sdk lib_nbgl/src/nbgl_fonts.c): characters are added while the sum of their advances
// fits; on overflow the line ends after its last word delimiter (space, '-', '_'), which stays on the
// line (Speculos 0.27.1 reports "The quick brown fox " with its space), or, with none on the line (an
// xpub, an address), just before the overflowing character; `\n` forces a break.

export interface Font {
  readonly name: string;
  /** Advance width in pixels per character, fitted from the corpus (fonts.ts). */
  readonly advances: Readonly<Record<string, number>>;
  /** Advance of characters missing from the table. */
  readonly fallback: number;
  /** Height of a text line's box as Speculos reports it. */
  readonly height: number;
  /**
   * Speculos reports the ink box, narrower than the advances by the side bearings of the first and
   * last glyph: about this many pixels (fitted with the advances).
   */
  readonly inkTrim: number;
}

export function charWidth(font: Font, c: string): number {
  return font.advances[c] ?? font.fallback;
}

export function textWidth(font: Font, text: string): number {
  let w = 0;
  for (const c of text) w += charWidth(font, c);
  return w;
}

/** NBGL's word delimiters (IS_WORD_DELIM): a line may end after one of them. */
const DELIMITERS = new Set([' ', '-', '_']);

/** Splits text into lines no wider than maxWidth; a delimiter ending a line stays part of its text. */
export function wrapText(font: Font, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const chars = [...paragraph];
    let start = 0;
    let width = 0;
    let lastDelimiter = -1;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (DELIMITERS.has(c)) lastDelimiter = i;
      const cw = charWidth(font, c);
      if (width + cw <= maxWidth) {
        width += cw;
        continue;
      }
      // Overflow: the line ends after its last delimiter, or else just before this character.
      const end = lastDelimiter >= start ? lastDelimiter + 1 : i;
      lines.push(chars.slice(start, end).join(''));
      start = end;
      lastDelimiter = -1;
      width = 0;
      for (let k = start; k <= i; k++) width += charWidth(font, chars[k]!);
    }
    lines.push(chars.slice(start).join(''));
  }
  return lines;
}
