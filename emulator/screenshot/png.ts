// A minimal PNG encoder (RFC 2083 / PNG spec 2nd ed.): 8-bit greyscale, no interlace, one IDAT
// compressed with zlib (node:zlib deflateSync), every scanline with filter type 0.

import { deflateSync } from 'node:zlib';
import { concat, u32be } from '../../apdu/bytes.ts';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG chunks use it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat(new TextEncoder().encode(type), data);
  return concat(u32be(data.length), typed, u32be(crc32(typed)));
}

/** Encodes `width x height` greyscale pixels (row-major, one byte each, 0 = black). */
export function encodePng(width: number, height: number, grey: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`png: expected positive integer dimensions, got ${width}x${height}`);
  if (grey.length !== width * height) throw new RangeError(`png: expected ${width * height} pixels, got ${grey.length}`);
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(grey.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  // IHDR: width, height, bit depth 8, colour type 0 (greyscale), compression 0, filter 0, interlace 0.
  const ihdr = concat(u32be(width), u32be(height), Uint8Array.of(8, 0, 0, 0, 0));
  return concat(SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', new Uint8Array(deflateSync(raw))), chunk('IEND', new Uint8Array()));
}
