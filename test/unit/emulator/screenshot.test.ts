import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../apdu/bytes.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import { crc32 } from '../../../emulator/screenshot/png.ts';
import { testApp } from './test-apps.ts';

interface Decoded {
  width: number;
  height: number;
  pixel(x: number, y: number): number;
}

/** Reads our PNGs back: signature, chunk CRCs, IHDR, and the greyscale scanlines (filter 0). */
function decodePng(png: Uint8Array): Decoded {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks = new Map<string, Uint8Array>();
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    expect(view.getUint32(at + 8 + length), `${type} CRC`).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    if (type === 'IDAT') idat.push(data);
    else chunks.set(type, data);
    at += 12 + length;
  }
  const ihdr = chunks.get('IHDR')!;
  const h = new DataView(ihdr.buffer, ihdr.byteOffset, ihdr.byteLength);
  const width = h.getUint32(0);
  const height = h.getUint32(4);
  expect([...ihdr.subarray(8)]).toEqual([8, 0, 0, 0, 0]);
  expect(chunks.has('IEND')).toBe(true);
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe(height * (width + 1));
  return { width, height, pixel: (x, y) => raw[y * (width + 1) + 1 + x]! };
}

function inkIn(img: Decoded, box: { x: number; y: number; w: number; h: number }, background: number): number {
  let n = 0;
  for (let y = Math.max(0, box.y); y < Math.min(img.height, box.y + box.h); y++)
    for (let x = Math.max(0, box.x); x < Math.min(img.width, box.x + box.w); x++) if (img.pixel(x, y) !== background) n++;
  return n;
}

describe('screenshots', () => {
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  for (const [model, size, background] of [
    ['nanosp', [128, 64], 0],
    ['flex', [480, 600], 255],
    ['stax', [400, 672], 255],
  ] as const) {
    it(`${model}: a PNG at the screen size with ink where the text is`, async () => {
      const d = new EmulatedDevice({ model, apps: { 'Test App': () => testApp() }, startApp: 'Test App' });
      const pending = d.exchange(fromHex('e120000000'));
      await Promise.resolve();
      const img = decodePng(d.screenshot());
      expect([img.width, img.height]).toEqual(size);
      const events = d.currentScreen();
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) expect(inkIn(img, e, background), e.text).toBeGreaterThan(10);
      // Nothing drawn in a strip no text touches (the top rows on both families here).
      expect(inkIn(img, { x: 0, y: 0, w: img.width, h: Math.min(...events.map((e) => e.y)) - 2 }, background)).toBe(0);
      d.lock();
      await pending;
    });
  }
});
