// A small 5x7 bitmap font for screenshots (ASCII 32..126, our own glyphs). Each glyph is 7 rows,
// each row one base-32 digit whose 5 bits are the pixels from left (bit 4) to right (bit 0).

const DIGITS = '0123456789abcdefghijklmnopqrstuv';

const GLYPHS =
  '00000004444404aa00000avaaava4fke5u4op248j3cik8lid44000002488842842224804lel40044v440' +
  '0000c48000v00000000cc01248g0ehjlphe4c4444eeh1248vv2421he26aiv22vgu11he68guhhev124888' +
  'ehhehheehhf12c0cc0cc00cc0c48248g84200v0v008421248eh12404eh1dlleehhvhhhuhhuhhuehggghe' +
  'sihhhisvgguggvvggugggehgnhhfhhhvhhhe44444e72222ichikokihggggggvhrllhhhhhpljhhehhhhhe' +
  'uhhugggehhhliduhhukihfgge11uv444444hhhhhhehhhhha4hhhlllahha4ahhhhha444v1248gve88888e' +
  '0g84210e22222e4ah0000000000v840000000e1fhfggmphhu00egghe11djhhf00ehvge698s8880fhhf1e' +
  'ggmphhh40c444e20622icggikokic44444e00qllhh00mphhh00ehhhe00uhugg00djf1100mpggg00ege1u' +
  '88s889600hhhjd00hhha400hhlla00ha4ah00hhf1e00v248v244844244444448442448008l200';

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

/** Rows of the glyph for `c` (unknown characters draw as "?"). */
export function glyphRows(c: string): number[] {
  let code = c.codePointAt(0) ?? 63;
  if (code < 32 || code > 126) code = 63;
  const at = (code - 32) * GLYPH_HEIGHT;
  return [...GLYPHS.slice(at, at + GLYPH_HEIGHT)].map((d) => DIGITS.indexOf(d));
}
