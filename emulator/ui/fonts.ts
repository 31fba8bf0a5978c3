// Per-model fonts. The advance widths are fitted from the Speculos corpus and our own Speculos 0.27.1
// recordings (test/vectors/speculos-local) by test/unit/emulator/font-fit.ts (least squares on every
// text item's reported width, then whole-pixel adjustment until every line break of both data sets is
// reproduced); re-run it to regenerate these tables.
// Nano S Plus: NBGL's Open Sans ExtraBold 11 px (items, titles) and Regular 11 px (values), text width
// 114 px. Flex: Inter 28 px (small) and Inter Medium 36 px (large), text width 416 px. Characters the
// recordings never show fall back to the font's mean advance.

import type { ModelId } from '../../devices/models.ts';
import type { NanoFonts } from './nano.ts';
import type { Font } from './text.ts';
import type { TouchFonts } from './touch.ts';

function font(name: string, height: number, fallback: number, inkTrim: number, advances: Record<string, number>): Font {
  return { name, height, fallback, inkTrim, advances };
}

export const NANO_FONTS: NanoFonts = {
  title: font('nano-bold', 12, 6, -1, {
    " ": 2, "(": 5, ")": 7, "-": 14, "/": 5, "0": 8, "1": 6, "2": 7, "3": 8, "@": 12, "A": 10, "C": 5, "F": 5,
    "M": 9, "O": 6, "P": 7, "R": 14, "S": 11, "T": 5, "V": 6, "W": 13, "a": 5, "b": 6, "c": 5, "d": 3, "e": 6,
    "f": 6, "g": 4, "h": 8, "i": 3, "j": 5, "k": 4, "l": 4, "m": 9, "n": 9, "o": 5, "p": 11, "r": 4, "s": 8,
    "t": 4, "u": 8, "v": 3, "w": 3, "y": 7,
  }),
  body: font('nano-regular', 11, 6, 1, {
    " ": 3, "!": 3, "\"": 5, "#": 5, "$": 4, "%": 5, "&": 10, "'": 2, "(": 2, ")": 4, "*": 5, "+": 7, ",": 3,
    "-": 6, ".": 3, "/": 4, "0": 6, "1": 6, "2": 6, "3": 6, "4": 8, "5": 6, "6": 6, "7": 6, "8": 6, "9": 6,
    ":": 3, ";": 5, "<": 5, "=": 6, ">": 6, "?": 5, "@": 12, "A": 7, "B": 7, "C": 7, "D": 8, "E": 6, "F": 6,
    "G": 8, "H": 8, "I": 1, "J": 3, "K": 7, "L": 6, "M": 10, "N": 8, "O": 9, "P": 7, "Q": 9, "R": 7, "S": 6,
    "T": 7, "U": 8, "V": 7, "W": 10, "X": 7, "Y": 6, "Z": 6, "[": 4, "\\": 5, "]": 4, "^": 5, "_": 2, "`": 5,
    "a": 6, "b": 7, "c": 5, "d": 7, "e": 6, "f": 5, "g": 6, "h": 7, "i": 3, "j": 3, "k": 6, "l": 3, "m": 10,
    "n": 7, "o": 7, "p": 7, "q": 7, "r": 4, "s": 5, "t": 4, "u": 7, "v": 6, "w": 9, "x": 6, "y": 6, "z": 5,
    "{": 4, "|": 6, "}": 5, "~": 5,
  }),
};

/**
 * Nano X, fitted from our Speculos 0.27.1 recordings alone (test/vectors/speculos-local/nanox; run
 * `npx tsx test/unit/emulator/font-fit.ts nanox`). The device draws what Nano S Plus draws; these
 * tables follow Speculos 0.27.1's boxes (h 14, x = floor((128 - w) / 2)) instead of also serving the
 * corpus's ink boxes as NANO_FONTS do. `inkTrim` is the fitted box offset.
 */
export const NANOX_FONTS: NanoFonts = {
  title: font('nanox-bold', 14, 6, -2, {
    "0": 8, "1": 6, "2": 7, "3": 8, " ": 4, "(": 4, ")": 6, "-": 17, "/": 4, "@": 14, "A": 9, "C": 6, "F": 4,
    "M": 10, "O": 5, "P": 8, "R": 15, "S": 14, "T": 5, "V": 5, "W": 13, "a": 6, "b": 7, "c": 6, "d": 2, "e": 6,
    "f": 7, "g": 1, "h": 8, "i": 2, "j": 2, "k": 2, "l": 4, "m": 9, "n": 7, "o": 5, "p": 10, "r": 5, "s": 9, "t": 4,
    "u": 8, "v": 3, "w": 1, "y": 6,
  }),
  body: font('nanox-regular', 14, 6, 0, {
    "0": 6, "1": 6, "2": 6, "3": 6, "4": 8, "5": 6, "6": 6, "7": 6, "8": 6, "9": 6, " ": 3, "!": 3, "\"": 7, "#": 7,
    "$": 5, "%": 6, "&": 9, "'": 2, "(": 2, ")": 4, "*": 5, "+": 7, ",": 3, "-": 6, ".": 3, "/": 4, ":": 3, ";": 5,
    "<": 5, "=": 6, ">": 6, "?": 5, "@": 12, "A": 7, "B": 7, "C": 7, "D": 8, "E": 6, "F": 6, "G": 8, "H": 8, "I": 3,
    "J": 3, "K": 7, "L": 6, "M": 10, "N": 8, "O": 9, "P": 7, "Q": 9, "R": 7, "S": 6, "T": 7, "U": 8, "V": 7, "W": 10,
    "X": 7, "Y": 6, "Z": 6, "[": 4, "\\": 5, "]": 4, "^": 5, "_": 3, "`": 5, "a": 6, "b": 7, "c": 5, "d": 7, "e": 6,
    "f": 5, "g": 6, "h": 7, "i": 3, "j": 3, "k": 6, "l": 3, "m": 10, "n": 7, "o": 7, "p": 7, "q": 7, "r": 4, "s": 5,
    "t": 4, "u": 7, "v": 6, "w": 9, "x": 6, "y": 6, "z": 5, "{": 4, "|": 6, "}": 5, "~": 5,
  }),
};

export const FLEX_FONTS: TouchFonts = {
  small: font('flex-small', 32, 14, -4, {
    " ": 8, "0": 16, "1": 11, "2": 15, "3": 16, "4": 16, "5": 15, "6": 15, "7": 14, "@": 25, "A": 18, "C": 18,
    "D": 17, "E": 15, "F": 13, "I": 7, "M": 22, "P": 15, "R": 15, "S": 16, "T": 15, "a": 15, "b": 16, "c": 15,
    "d": 15, "e": 16, "f": 9, "g": 16, "h": 14, "i": 8, "j": 6, "k": 15, "l": 7, "m": 21, "n": 17, "o": 16,
    "p": 17, "r": 11, "s": 14, "t": 11, "u": 15, "v": 15, "w": 20, "x": 13, "y": 15,
  }),
  large: font('flex-large', 40, 20, 1, {
    " ": 9, "!": 13, "\"": 15, "#": 22, "$": 15, "%": 15, "&": 23, "'": 8, "(": 14, ")": 14, "*": 19, "+": 30,
    ",": 7, "-": 17, ".": 8, "/": 13, "0": 23, "1": 17, "2": 22, "3": 23, "4": 24, "5": 22, "6": 23, "7": 21,
    "8": 23, "9": 23, ":": 5, ";": 18, "<": 18, "=": 19, ">": 18, "?": 19, "@": 38, "A": 26, "B": 24, "C": 26,
    "D": 26, "E": 22, "F": 21, "G": 28, "H": 27, "I": 11, "J": 20, "K": 24, "L": 20, "M": 32, "N": 27, "O": 24,
    "P": 22, "Q": 28, "R": 23, "S": 23, "T": 24, "U": 27, "V": 25, "W": 35, "X": 24, "Y": 26, "Z": 22, "[": 13,
    "\\": 19, "]": 14, "^": 19, "_": 11, "`": 19, "a": 20, "b": 22, "c": 20, "d": 23, "e": 21, "f": 13, "g": 22,
    "h": 21, "i": 9, "j": 9, "k": 21, "l": 10, "m": 32, "n": 22, "o": 22, "p": 22, "q": 22, "r": 14, "s": 19,
    "t": 14, "u": 20, "v": 20, "w": 29, "x": 20, "y": 21, "z": 20, "{": 19, "|": 18, "}": 18, "~": 19,
  }),
};

/**
 * Stax, fitted from our Speculos 0.27.1 recordings alone (test/vectors/speculos-local/stax; run
 * `npx tsx test/unit/emulator/font-fit.ts stax`), text width 352 px; characters the recordings never
 * show in a font fall back to its mean advance. Speculos reports NBGL's boxes here (x the text's start, h the line height), so `inkTrim` is
 * the fitted box offset, not an ink trim.
 */
export const STAX_FONTS: TouchFonts = {
  small: font('stax-small', 31, 12, -2, {
    "0": 14, "1": 10, "2": 14, "3": 14, "4": 14, "5": 14, "6": 14, "7": 13, " ": 7, ",": 12, "@": 23, "A": 16,
    "C": 19, "D": 14, "E": 12, "F": 13, "G": 13, "I": 7, "M": 19, "P": 14, "R": 15, "S": 15, "T": 13, "Y": 12,
    "a": 15, "b": 15, "c": 13, "d": 14, "e": 13, "f": 8, "g": 16, "h": 13, "i": 7, "j": 7, "k": 15, "l": 6, "m": 21,
    "n": 14, "o": 15, "p": 15, "r": 10, "s": 13, "t": 9, "u": 11, "v": 14, "w": 18, "x": 11, "y": 13,
  }),
  large: font('stax-large', 40, 18, 0, {
    "0": 21, "1": 15, "2": 20, "3": 21, "4": 21, "5": 20, "6": 20, "7": 19, "8": 20, "9": 20, " ": 8, "!": 11,
    "\"": 17, "#": 20, "$": 17, "%": 17, "&": 21, "'": 8, "(": 12, ")": 13, "*": 17, "+": 27, ",": 8, "-": 16,
    ".": 9, "/": 11, ":": 6, ";": 15, "<": 15, "=": 17, ">": 16, "?": 17, "@": 33, "A": 22, "B": 21, "C": 24,
    "D": 23, "E": 19, "F": 19, "G": 24, "H": 24, "I": 15, "J": 18, "K": 21, "L": 18, "M": 29, "N": 24, "O": 25,
    "P": 20, "Q": 25, "R": 21, "S": 21, "T": 21, "U": 24, "V": 22, "W": 31, "X": 21, "Y": 22, "Z": 20, "[": 12,
    "\\": 17, "]": 12, "^": 16, "_": 12, "`": 17, "a": 18, "b": 20, "c": 18, "d": 20, "e": 19, "f": 12, "g": 20,
    "h": 19, "i": 8, "j": 8, "k": 18, "l": 9, "m": 28, "n": 19, "o": 19, "p": 20, "q": 20, "r": 12, "s": 17, "t": 12,
    "u": 19, "v": 18, "w": 26, "x": 18, "y": 18, "z": 18, "{": 16, "|": 16, "}": 15, "~": 16,
  }),
};

function scaled(f: Font, factor: number, height: number): Font {
  const advances: Record<string, number> = {};
  for (const [c, w] of Object.entries(f.advances)) advances[c] = Math.round(w * factor);
  return font(`${f.name}x${factor.toFixed(2)}`, height, Math.round(f.fallback * factor), Math.round(f.inkTrim * factor), advances);
}

/** Nano S (BAGL) is close enough to Nano S Plus for layout. */
export function nanoFonts(model: ModelId): NanoFonts {
  return model === 'nanox' ? NANOX_FONTS : NANO_FONTS;
}

/** Apex P's fonts are smaller than Flex's (2/3): scaled, not fitted (no recordings). */
export function touchFonts(model: ModelId): TouchFonts {
  if (model === 'stax') return STAX_FONTS;
  if (model === 'apex') return { small: scaled(FLEX_FONTS.small, 2 / 3, 20), large: scaled(FLEX_FONTS.large, 2 / 3, 26) };
  return FLEX_FONTS;
}
