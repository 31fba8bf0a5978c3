// scripts/record.ts run as a user runs it (a subprocess): the transcript it writes for an emulator
// flow is replayed command by command, through ReplayTransport, against a fresh emulator with the
// same seed and randomness, which must answer every command with the recorded bytes.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../apdu/bytes.ts';
import { LoopbackTransport } from '../../devices/loopback.ts';
import { ReplayTransport } from '../../devices/replay.ts';
import { EmulatedDevice, deviceOptions } from '../../emulator/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'taproot-hw-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function recordScript(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/record.ts', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Sends every recorded command to a fresh emulator; each answer must be the recorded one. */
async function replayAgainstEmulator(transcript: string, app: string): Promise<number> {
  const replay = new ReplayTransport(transcript);
  const device = new LoopbackTransport(new EmulatedDevice(deviceOptions({ app, autoApprove: true, deterministicRng: 42 })));
  for (const { command } of replay.exchanges) {
    const fresh = await device.exchange(command);
    // ReplayTransport checks the command is the next recorded one and gives the recorded answer.
    expect(toHex(fresh)).toBe(toHex(await replay.exchange(command)));
  }
  replay.assertDone();
  await device.close();
  return replay.played;
}

describe('scripts/record.ts', () => {
  // At least the commands and client-command rounds the flow needs (registration: the policy's
  // keys and merkle proofs; SIGN_VPSBT v2: the fingerprint, then the stream's full APDUs).
  it.each([
    ['register-wsh-multisig', 'bitcoin-test', 20],
    ['tap-sign-vpsbt', 'tap', 3],
  ])('records %s on the emulator; a fresh emulator replays it byte for byte', async (flow, app, atLeast) => {
    const out = join(dir, `${flow}.apdus`);
    const run = await recordScript('--backend', 'emulator', '--flow', flow, '--out', out);
    expect(run.code, run.stderr).toBe(0);
    const exchanges = Number(new RegExp(`^${out}: (\\d+) exchanges$`, 'm').exec(run.stdout)?.[1]);
    expect(exchanges).toBeGreaterThanOrEqual(atLeast);
    const transcript = readFileSync(out, 'utf8');
    expect(transcript.split('\n')[1]).toBe('# backend: emulator (nanosp), deterministic rng 42');
    expect(await replayAgainstEmulator(transcript, app)).toBe(exchanges);
  });

  it('the recorded xpub review equals the real device\'s transcript in the Speculos corpus', async () => {
    const out = join(dir, 'xpub-display.apdus');
    expect((await recordScript('--backend', 'emulator', '--flow', 'xpub-display', '--out', out)).code).toBe(0);
    const recorded = readFileSync(out, 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(recorded).toBe(readFileSync(new URL('../vectors/speculos-corpus/nanosp/xpub-display-approve-86h-1h-101h.apdus', import.meta.url), 'utf8'));
  });

  it('refuses an unknown flow and an absent Speculos with the reason (exit 2)', async () => {
    const unknown = await recordScript('--backend', 'emulator', '--flow', 'nope', '--out', join(dir, 'x'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--flow: expected one of app-info, xpub-display');
    if (process.env.SPECULOS_APP_ELF) return;
    const speculos = await recordScript('--backend', 'speculos', '--flow', 'app-info', '--out', join(dir, 'y'));
    expect(speculos.code).toBe(2);
    expect(speculos.stderr).toContain('--backend speculos: SPECULOS_APP_ELF is not set');
  });
});
