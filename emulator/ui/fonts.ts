// Per-model fonts. Advance widths are fitted from the Speculos corpus (see FONTS.md in this folder).

import type { ModelId } from '../../devices/models.ts';
import type { NanoFonts } from './nano.ts';
import type { TouchFonts } from './touch.ts';
import type { Font } from './text.ts';

function font(name: string, height: number, fallback: number, advances: Record<string, number>): Font {
  return { name, height, fallback, advances };
}

export const NANO_FONTS: NanoFonts = {
  title: font('nano-bold', 12, 6, {}),
  body: font('nano-regular', 11, 6, {}),
};

export const FLEX_FONTS: TouchFonts = {
  small: font('flex-small', 32, 14, {}),
  large: font('flex-large', 40, 21, {}),
};

function scaled(f: Font, factor: number, height: number): Font {
  const advances: Record<string, number> = {};
  for (const [c, w] of Object.entries(f.advances)) advances[c] = Math.round(w * factor);
  return font(`${f.name}x${factor}`, height, Math.round(f.fallback * factor), advances);
}

export function nanoFonts(_model: ModelId): NanoFonts {
  return NANO_FONTS;
}

/** Stax's fonts are about 8/9 of Flex's, Apex P's about 2/3 (not corpus-verified). */
export function touchFonts(model: ModelId): TouchFonts {
  if (model === 'stax') return { small: scaled(FLEX_FONTS.small, 8 / 9, 28), large: scaled(FLEX_FONTS.large, 8 / 9, 36) };
  if (model === 'apex') return { small: scaled(FLEX_FONTS.small, 2 / 3, 20), large: scaled(FLEX_FONTS.large, 2 / 3, 26) };
  return FLEX_FONTS;
}
