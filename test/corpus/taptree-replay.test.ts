// Taptree flows recorded on real Speculos `--deterministic-rng 42` (test/vectors/speculos-taptree)
// run again on the emulator with the same seed and the same randomness: every exchange must be the
// recorded one, byte for byte (BIP-340 signatures whose tweak commits to the tree, MuSig2 pubnonces
// and partial signatures of a musig() leaf), and after every device answer the emulator's random
// stream must be where Speculos's was (the measured rand() call counts). Reviews are walked on the
// emulated screen as a person would.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../apdu/bytes.ts';
import type { ModelId } from '../../devices/models.ts';
import { parseTranscript, TranscriptRecorder } from '../../devices/replay.ts';
import { InProcessEmulatorBackend } from '../../harness/index.ts';
import { afterEachAnswer, TAPTREE_FLOWS } from './taptree-flows.ts';

const VECTORS = new URL('../vectors/speculos-taptree/', import.meta.url);

const recordings = readdirSync(VECTORS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(new URL(`${d.name}/`, VECTORS))
      .filter((f) => f.endsWith('.apdus'))
      .map((f) => ({ model: d.name as ModelId, flow: f.slice(0, -'.apdus'.length) })),
  );

/** Runs the flow on a fresh emulator; the transcript and the stream position after each answer. */
async function runOnEmulator(model: ModelId, flow: string, seed: number): Promise<{ transcript: string; positions: number[] }> {
  const backend = InProcessEmulatorBackend.create({ model, app: 'bitcoin-test', deterministicRng: seed });
  const positions: number[] = [];
  const measured = afterEachAnswer(backend.transport, () => positions.push(backend.device.rngPosition!));
  try {
    const recorder = new TranscriptRecorder(measured);
    await TAPTREE_FLOWS[flow]!.run(recorder, async (call) => (await Promise.all([call, backend.approve({ timeoutMs: 10_000 })]))[0]);
    return { transcript: recorder.transcript(), positions };
  } finally {
    await backend.close();
  }
}

describe('taptree flows recorded on real Speculos, run on the emulator', () => {
  it('covers both flows on the recorded models', () => {
    expect(recordings.map((r) => r.flow).sort()).toEqual(
      [...new Set(recordings.map((r) => r.model))].flatMap(() => Object.keys(TAPTREE_FLOWS)).sort(),
    );
  });

  it.each(recordings)('$flow on $model', async ({ model, flow }) => {
    const text = readFileSync(new URL(`${model}/${flow}.apdus`, VECTORS), 'utf8');
    expect(text).toContain(`# backend: speculos (${model}), deterministic rng `);
    const seed = Number(/deterministic rng (\d+)/.exec(text)![1]);
    const measured: { seed: number; positions: Record<string, number> } = JSON.parse(readFileSync(new URL(`${model}/${flow}.rng.json`, VECTORS), 'utf8'));
    expect(measured.seed).toBe(seed);
    const recorded = parseTranscript(text);
    const ours = await runOnEmulator(model, flow, seed);
    const replayed = parseTranscript(ours.transcript);
    // the first difference, with where each stream stood: a wrong rule shows at the answer it moves
    for (let k = 0; k < Math.max(recorded.length, replayed.length); k++) {
      const at = `exchange ${k + 1} (line ${recorded[k]?.responseLine})`;
      expect(toHex(replayed[k]?.command ?? new Uint8Array()), `${at}: command`).toBe(toHex(recorded[k]?.command ?? new Uint8Array()));
      expect(ours.positions[k], `${at}: rand() calls`).toBe(measured.positions[String(recorded[k]!.responseLine)]);
      expect(toHex(replayed[k]!.response), `${at}: answer`).toBe(toHex(recorded[k]!.response));
    }
  });
});
