// How review values are written as text (docs/tap-app-protocol.md §6): amounts with thousands
// separators, and host-chosen text (asset names, courier URLs) as printable ASCII only, so that a
// zero-width, homoglyph or control character can neither imitate another name nor forge a line.

/** "1,000,000 units". */
export function units(n: bigint): string {
  return `${n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')} units`;
}

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/**
 * Printable ASCII (0x20..0x7e) as is, a backslash as `\\`, and every other byte of the text's
 * UTF-8 encoding as `\xNN`: two texts look alike on a screen only if they are the same bytes.
 */
export function escapeText(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += `\\x${hex2(b)}`;
  }
  return out;
}
