// Draws a screen's text events with the 5x7 font into a greyscale bitmap and encodes it as PNG.
// Nano screens are white on black, touch screens black on white (filled buttons inverted). Each text
// is drawn centred on its event box, scaled with the box height so touch screens stay legible.

import type { DeviceModel } from '../../devices/models.ts';
import type { Screen } from '../ui/screen.ts';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from './font5x7.ts';
import { encodePng } from './png.ts';

export interface Bitmap {
  width: number;
  height: number;
  /** Row-major greyscale, 0 = black, 255 = white. */
  pixels: Uint8Array;
}

export function renderBitmap(screen: Screen, model: DeviceModel): Bitmap {
  const { width, height } = model.screen;
  const dark = model.input === 'buttons';
  const background = dark ? 0 : 255;
  const pixels = new Uint8Array(width * height).fill(background);
  const fill = (x0: number, y0: number, w: number, h: number, v: number): void => {
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y0 + h)); y++)
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x0 + w)); x++) pixels[y * width + x] = v;
  };
  for (const box of screen.filled ?? []) fill(box.x, box.y, box.w, box.h, 255 - background);
  for (const e of screen.events) {
    const scale = Math.max(1, Math.min(3, Math.floor(e.h / 12)));
    const chars = [...e.text];
    const textW = chars.length * (GLYPH_WIDTH + 1) * scale - scale;
    const x0 = Math.round(e.x + e.w / 2 - textW / 2);
    const y0 = Math.round(e.y + e.h / 2 - (GLYPH_HEIGHT * scale) / 2);
    const cx = Math.min(width - 1, Math.max(0, Math.round(e.x + e.w / 2)));
    const cy = Math.min(height - 1, Math.max(0, Math.round(e.y + e.h / 2)));
    // Ink is the opposite of whatever lies under the text's centre (so labels on filled buttons show).
    const ink = 255 - pixels[cy * width + cx]!;
    chars.forEach((c, i) => {
      glyphRows(c).forEach((row, ry) => {
        for (let rx = 0; rx < GLYPH_WIDTH; rx++)
          if (row & (1 << (GLYPH_WIDTH - 1 - rx))) fill(x0 + (i * (GLYPH_WIDTH + 1) + rx) * scale, y0 + ry * scale, scale, scale, ink);
      });
    });
  }
  return { width, height, pixels };
}

export function renderPng(screen: Screen, model: DeviceModel): Uint8Array {
  const { width, height, pixels } = renderBitmap(screen, model);
  return encodePng(width, height, pixels);
}
