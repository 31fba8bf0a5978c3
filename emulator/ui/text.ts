// Text measurement and wrapping with proportional fonts, as NBGL's nbgl_getTextNbLinesInWidth does it:
// characters are added while they fit; on overflow the line ends at its last space (dropped), or,
// with no space on the line (an xpub, an address), just before the overflowing character; `\n`
// forces a break.

export interface Font {
  readonly name: string;
  /** Advance width in pixels per character, fitted from the corpus (fonts.ts). */
  readonly advances: Readonly<Record<string, number>>;
  /** Advance of characters missing from the table. */
  readonly fallback: number;
  /** Height of a text line's box as Speculos reports it. */
  readonly height: number;
}

export function charWidth(font: Font, c: string): number {
  return font.advances[c] ?? font.fallback;
}

export function textWidth(font: Font, text: string): number {
  let w = 0;
  for (const c of text) w += charWidth(font, c);
  return w;
}

/** Splits text into lines no wider than maxWidth. */
export function wrapText(font: Font, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const chars = [...paragraph];
    let start = 0;
    let width = 0;
    let lastSpace = -1;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      const cw = charWidth(font, c);
      if (width + cw > maxWidth && i > start) {
        // Overflow: break at the last space of this line if there is one (the space is dropped),
        // otherwise cut before this character.
        const end = lastSpace > start ? lastSpace : i;
        lines.push(chars.slice(start, end).join(''));
        start = end === lastSpace ? lastSpace + 1 : i;
        lastSpace = -1;
        width = 0;
        for (let k = start; k < i; k++) width += charWidth(font, chars[k]!);
      }
      if (c === ' ') lastSpace = i;
      width += cw;
    }
    lines.push(chars.slice(start).join(''));
  }
  return lines;
}
