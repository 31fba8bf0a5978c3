// Per-model fonts. The advance widths are fitted from the Speculos corpus by
// test/unit/emulator/font-fit.ts (least squares on every text item's reported width, then whole-pixel
// adjustment until every line break of the corpus is reproduced); re-run it to regenerate these tables.
// Nano S Plus: NBGL's Open Sans ExtraBold 11 px (items, titles) and Regular 11 px (values), text width
// 114 px. Flex: Inter 28 px (small) and Inter Medium 36 px (large), text width 416 px. Characters the
// corpus never shows fall back to the font's mean advance.

import type { ModelId } from '../../devices/models.ts';
import type { NanoFonts } from './nano.ts';
import type { Font } from './text.ts';
import type { TouchFonts } from './touch.ts';

function font(name: string, height: number, fallback: number, inkTrim: number, advances: Record<string, number>): Font {
  return { name, height, fallback, inkTrim, advances };
}

export const NANO_FONTS: NanoFonts = {
  title: font('nano-bold', 12, 6, -2, {
    " ": 4, "(": 5, ")": 6, "-": 12, "/": 4, "0": 6, "1": 6, "2": 5, "3": 8, "@": 10, "A": 7, "C": 5, "F": 7,
    "M": 10, "O": 7, "P": 4, "R": 9, "S": 7, "T": 6, "W": 10, "a": 5, "b": 4, "c": 6, "d": 2, "e": 5, "f": 2,
    "g": 9, "h": 8, "i": 3, "k": 7, "l": 4, "m": 9, "n": 8, "o": 6, "p": 10, "r": 2, "s": 5, "t": 5, "u": 8,
    "v": 5, "w": 6, "y": 7,
  }),
  body: font('nano-regular', 11, 6, 1, {
    " ": 3, "'": 3, "(": 6, ")": 6, "*": 5, ",": 6, ".": 5, "/": 4, "0": 5, "1": 7, "2": 5, "3": 6, "4": 8,
    "5": 7, "6": 7, "7": 5, "8": 5, "9": 6, "@": 5, "A": 8, "B": 7, "C": 8, "D": 8, "E": 5, "F": 6, "G": 8,
    "H": 8, "J": 3, "K": 8, "L": 6, "M": 9, "N": 7, "P": 6, "Q": 8, "R": 7, "S": 6, "T": 8, "U": 7, "V": 8,
    "W": 9, "X": 8, "Y": 6, "Z": 8, "[": 4, "]": 3, "a": 6, "b": 6, "c": 4, "d": 8, "e": 6, "f": 5, "g": 7,
    "h": 6, "i": 4, "j": 2, "k": 6, "l": 4, "m": 10, "n": 6, "o": 6, "p": 8, "q": 7, "r": 3, "s": 5, "t": 3,
    "u": 7, "v": 7, "w": 9, "x": 7, "y": 5, "z": 5,
  }),
};

export const FLEX_FONTS: TouchFonts = {
  small: font('flex-small', 32, 14, -5, {
    " ": 7, "0": 14, "1": 12, "2": 15, "3": 16, "4": 17, "5": 16, "6": 17, "@": 14, "A": 16, "D": 16, "E": 17,
    "F": 11, "I": 14, "M": 22, "P": 14, "R": 14, "S": 16, "T": 14, "a": 15, "b": 16, "c": 15, "e": 17, "f": 9,
    "g": 15, "h": 13, "i": 6, "j": 6, "k": 14, "l": 7, "m": 21, "n": 18, "o": 15, "p": 17, "r": 13, "s": 13,
    "t": 10, "u": 17, "v": 15, "w": 21, "x": 14, "y": 16,
  }),
  large: font('flex-large', 40, 20, 2, {
    " ": 10, "'": 9, "(": 18, ")": 20, "*": 20, ",": 19, "-": 18, ".": 18, "/": 14, "0": 21, "1": 17, "2": 22,
    "3": 25, "4": 24, "5": 21, "6": 22, "7": 19, "8": 23, "9": 22, "?": 21, "@": 19, "A": 24, "B": 22,
    "C": 26, "D": 25, "E": 23, "F": 20, "G": 27, "H": 29, "J": 19, "K": 27, "L": 20, "M": 32, "N": 26,
    "P": 23, "Q": 29, "R": 21, "S": 24, "T": 23, "U": 26, "V": 25, "W": 33, "X": 24, "Y": 27, "Z": 24,
    "[": 11, "]": 11, "a": 21, "b": 23, "c": 21, "d": 24, "e": 21, "f": 12, "g": 21, "h": 22, "i": 8, "j": 9,
    "k": 19, "l": 9, "m": 31, "n": 22, "o": 21, "p": 23, "q": 22, "r": 16, "s": 20, "t": 12, "u": 22, "v": 20,
    "w": 31, "x": 20, "y": 21, "z": 20,
  }),
};

function scaled(f: Font, factor: number, height: number): Font {
  const advances: Record<string, number> = {};
  for (const [c, w] of Object.entries(f.advances)) advances[c] = Math.round(w * factor);
  return font(`${f.name}x${factor.toFixed(2)}`, height, Math.round(f.fallback * factor), Math.round(f.inkTrim * factor), advances);
}

/** Nano X draws with the same fonts as Nano S Plus; Nano S (BAGL) is close enough for layout. */
export function nanoFonts(_model: ModelId): NanoFonts {
  return NANO_FONTS;
}

/** Stax's fonts are Inter 24 / Medium 32 (8/9 of Flex's), Apex P's smaller still (2/3): scaled, not corpus-fitted. */
export function touchFonts(model: ModelId): TouchFonts {
  if (model === 'stax') return { small: scaled(FLEX_FONTS.small, 8 / 9, 28), large: scaled(FLEX_FONTS.large, 8 / 9, 36) };
  if (model === 'apex') return { small: scaled(FLEX_FONTS.small, 2 / 3, 20), large: scaled(FLEX_FONTS.large, 2 / 3, 26) };
  return FLEX_FONTS;
}
