// Mutations of what the fuzzing host serves. Two layers:
//  - semantic: the PSBT-shaped maps (Bitcoin PSBTv2, vPSBT) and byte fields are changed *before* they
//    are merkleized or encoded, so every commitment the device checks still verifies and the mutated
//    values reach its parsers (values, keys, whole fields moved between maps, inputs/outputs dropped,
//    doubled, reordered); a structured value (SIGN_VPSBT's stream) has one field or list changed
//    before it is encoded;
//  - transport (engine.ts): an honest client-command answer is changed on the wire (lengths, counts,
//    proof hashes, preimage bytes, indices, answers replayed out of order).

import type { CommandApdu } from '../../../apdu/apdu.ts';
import { toHex } from '../../../apdu/bytes.ts';
import type { Rng } from '../prng.ts';

export type Entry = readonly [key: Uint8Array, value: Uint8Array];

/** A PSBT as its maps: Bitcoin PSBTv2 (bitcoin/psbtv2.ts) and vPSBT (assets/vpsbt/psbt-map.ts) alike. */
export interface Maps {
  global: Entry[];
  inputs: Entry[][];
  outputs: Entry[][];
}

/** Values a parser meets at its edges: zero, all ones, compact-size markers, u64 limits. */
const INTERESTING: readonly Uint8Array[] = [
  new Uint8Array(),
  Uint8Array.of(0),
  Uint8Array.of(0xff),
  Uint8Array.of(0xfd, 0xff, 0xff),
  Uint8Array.of(0xfe, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  new Uint8Array(8).fill(0xff),
  Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0x80),
  Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0),
  new Uint8Array(32),
  new Uint8Array(33).fill(0x02),
  Uint8Array.of(0x02, ...new Uint8Array(32).fill(0xff)),
];

export function mutateBytes(rng: Rng, b: Uint8Array): Uint8Array {
  const out = Uint8Array.from(b);
  switch (rng.below(10)) {
    case 0: // one bit
      if (out.length > 0) out[rng.below(out.length)]! ^= 1 << rng.below(8);
      return out;
    case 1: // a few bytes
      for (let i = rng.below(4) + 1; i > 0 && out.length > 0; i--) out[rng.below(out.length)] = rng.u32() & 0xff;
      return out;
    case 2: // truncated
      return out.subarray(0, rng.below(out.length + 1));
    case 3: // extended
      return Uint8Array.from([...out, ...rng.bytes(rng.below(40) + 1)]);
    case 4: // an edge value in place of the whole
      return Uint8Array.from(rng.pick(INTERESTING));
    case 5: // an edge value written over a random position (lengths, counts, amounts inside a value)
      if (out.length > 0) {
        const v = rng.pick(INTERESTING).subarray(0, out.length);
        out.set(v, rng.below(out.length - v.length + 1));
      }
      return out;
    case 6: // first byte (a type, a length, a count)
      if (out.length > 0) out[0] = rng.u32() & 0xff;
      return out;
    case 7: // a slice cut out of the middle
      if (out.length > 2) {
        const at = rng.below(out.length - 1);
        return Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + rng.below(Math.min(8, out.length - at - 1)))]);
      }
      return out;
    case 8: // a slice repeated
      if (out.length > 0) {
        const at = rng.below(out.length);
        const piece = out.subarray(at, at + 1 + rng.below(16));
        return Uint8Array.from([...out.subarray(0, at), ...piece, ...out.subarray(at)]);
      }
      return out;
    default: // random of the same length
      return rng.bytes(out.length);
  }
}

function allMaps(m: Maps): Entry[][] {
  return [m.global, ...m.inputs, ...m.outputs];
}

const copyMaps = (m: Maps): Maps => ({ global: [...m.global], inputs: m.inputs.map((x) => [...x]), outputs: m.outputs.map((x) => [...x]) });

/** 1-3 semantic mutations of a PSBT's maps; the result is merkleized as is (duplicate keys are dropped). */
export function mutateMaps(rng: Rng, source: Maps): Maps {
  const m = copyMaps(source);
  for (let n = rng.below(3) + 1; n > 0; n--) {
    const maps = allMaps(m).filter((x) => x.length > 0);
    const map = maps.length > 0 ? rng.pick(maps) : m.global;
    const i = rng.below(map.length);
    switch (rng.below(9)) {
      case 0:
      case 1:
      case 2: // a value
        if (map.length > 0) map[i] = [map[i]![0], mutateBytes(rng, map[i]![1])];
        break;
      case 3: // a key (type byte or key data)
        if (map.length > 0) map[i] = [mutateBytes(rng, map[i]![0]), map[i]![1]];
        break;
      case 4: // a field removed
        if (map.length > 0) map.splice(i, 1);
        break;
      case 5: {
        // a field copied into another map (an input field among outputs, a global among inputs)
        const target = rng.pick(allMaps(m));
        if (map.length > 0 && target !== map) target.push(map[i]!);
        break;
      }
      case 6: {
        // one input or output map dropped, doubled or swapped with its neighbour (counts, order)
        const list = rng.chance(0.5) ? m.inputs : m.outputs;
        if (list.length === 0) break;
        const j = rng.below(list.length);
        const how = rng.below(3);
        if (how === 0) list.splice(j, 1);
        else if (how === 1) list.splice(j, 0, [...list[j]!]);
        else if (list.length > 1) [list[j], list[(j + 1) % list.length]] = [list[(j + 1) % list.length]!, list[j]!];
        break;
      }
      case 7: // an empty map added
        (rng.chance(0.5) ? m.inputs : m.outputs).push([]);
        break;
      default: // a value taken from another field (right type elsewhere, wrong here)
        if (map.length > 0) {
          const other = rng.pick(allMaps(m).flat());
          if (other) map[i] = [map[i]![0], other[1]];
        }
    }
  }
  for (const map of allMaps(m)) map.splice(0, map.length, ...dedupe(map));
  return m;
}

function dedupe(map: Entry[]): Entry[] {
  const seen = new Set<string>();
  return map.filter(([key]) => {
    const hex = toHex(key);
    if (seen.has(hex)) return false;
    seen.add(hex);
    return true;
  });
}

type Slot = { get(): unknown; set(v: unknown): void };

/** Every field and list of a plain value (objects, arrays, bytes, numbers, bigints, booleans). */
function slots(value: unknown, out: Slot[] = []): Slot[] {
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return out;
  const holder = value as Record<string | number, unknown>;
  for (const key of Object.keys(holder)) {
    const v = holder[key];
    out.push({ get: () => holder[key], set: (x) => void (holder[key] = x) });
    slots(v, out);
  }
  return out;
}

const EDGE_NUMBERS = [0, 1, 2, 0xff, 0x100, 0xffff, 0xffffffff];
const EDGE_BIGINTS = [0n, 1n, 0xffffffffn, 0xffffffffffffffffn];

/**
 * A structured value with one field changed (bytes mutated, a number or bigint moved to an edge or
 * by one, a flag flipped, a list element dropped, doubled or swapped), as a host past its own
 * encoder's checks would send it. `value` is cloned first.
 */
export function mutateStructure<T>(rng: Rng, value: T): T {
  const copy = structuredClone(value);
  const all = slots(copy);
  if (all.length === 0) return copy;
  const slot = rng.pick(all);
  const v = slot.get();
  if (v instanceof Uint8Array) slot.set(mutateBytes(rng, v));
  else if (typeof v === 'number') slot.set(rng.chance(0.5) ? rng.pick(EDGE_NUMBERS) : v + (rng.chance(0.5) ? 1 : -1));
  else if (typeof v === 'bigint') slot.set(rng.chance(0.5) ? rng.pick(EDGE_BIGINTS) : v + (rng.chance(0.5) ? 1n : -1n));
  else if (typeof v === 'boolean') slot.set(!v);
  else if (Array.isArray(v) && v.length > 0) {
    const j = rng.below(v.length);
    const how = rng.below(3);
    if (how === 0) v.splice(j, 1);
    else if (how === 1) v.splice(j, 0, structuredClone(v[j]));
    else if (v.length > 1) [v[j], v[(j + 1) % v.length]] = [v[(j + 1) % v.length], v[j]];
  }
  return copy;
}

/** A text (descriptor template, key origin, name) mutated at the character level. */
export function mutateText(rng: Rng, text: string): string {
  const pieces = ['(', ')', ',', '/', '*', "'", 'h', '<', ';', '>', '@', '0', '1', '9', '99', '@1', '/**', 'musig(', 'pk(', 'tr(', 'wsh(', 'multi(', 'sortedmulti_a(', 'and_v(v:', 'older(', '{', '}', '\u00e9', '\u0000'];
  const chars = [...text];
  for (let n = rng.below(3) + 1; n > 0; n--) {
    const at = rng.below(chars.length + 1);
    switch (rng.below(4)) {
      case 0:
        chars.splice(at, 1);
        break;
      case 1:
        chars.splice(at, 0, ...rng.pick(pieces));
        break;
      case 2:
        chars.splice(at, 1 + rng.below(6));
        break;
      default: {
        const from = rng.below(chars.length + 1);
        chars.splice(at, 0, ...chars.slice(from, from + 1 + rng.below(8)));
      }
    }
  }
  return chars.join('');
}

/** The command's own data mutated (roots, counts, ids, flags), its length kept within one APDU. */
export function mutateCommandData(rng: Rng, data: Uint8Array): Uint8Array {
  return mutateBytes(rng, data).subarray(0, 255);
}

/** With `mutate`, one case in ten sends the command with its own data mutated. */
export function maybeMutateCommand(rng: Rng, mutate: boolean, cmd: CommandApdu): CommandApdu {
  return mutate && rng.chance(0.1) ? { ...cmd, data: mutateCommandData(rng, cmd.data) } : cmd;
}

/** With `mutate`, half the time a BIP-32 path with random steps, cut short or stretched to 10. */
export function maybeMutatePath(rng: Rng, mutate: boolean, path: number[]): number[] {
  if (!mutate || !rng.chance(0.5)) return path;
  return path.map((s) => (rng.chance(0.3) ? rng.u32() : s)).slice(0, rng.chance(0.8) ? path.length : rng.below(11));
}
