// The coordinator and cosign commands refuse bad arguments before touching a device or the network:
// usage errors exit 2 with the usage, a malformed invite is a typed error.

import { expect, it } from 'vitest';
import { main } from '../../cli/main.ts';

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { stdout: () => {}, stderr: (l) => err.push(l) });
  return { code, err: err.join('\n') };
}

it.each([
  [['coordinator', 'run'], /expected serve, got "run"/],
  [['coordinator', 'serve', '--listen', 'localhost'], /--listen: expected HOST:PORT, got "localhost"/],
  [['cosign', 'start', '--parties', '3', '--path', "m/86'/1'/0'"], /--coordinator is required/],
  [['cosign', 'start', '--coordinator', 'http://127.0.0.1:1', '--parties', '1', '--path', "m/86'/1'/0'"], /--parties: expected 2\.\.15, got 1/],
  [['cosign', 'join', '--coordinator', 'http://127.0.0.1:1', '--path', "m/86'/1'/0'"], /--invite is required/],
  [['cosign', 'sign', '--coordinator', 'http://127.0.0.1:1', '--session', 'S', 'a', 'b'], /expected at most one PSBT, got 2/],
  [['cosign', 'vote', '--coordinator', 'http://127.0.0.1:1'], /expected start, join or sign, got "vote"/],
  [['cosign', 'start', '--coordinator', 'http://127.0.0.1:1', '--parties', '3', '--path', "m/86'/1'/0'", '--scheme', 'frost'], /--scheme frost needs --threshold T/],
  [['cosign', 'start', '--coordinator', 'http://127.0.0.1:1', '--parties', '3', '--path', "m/86'/1'/0'", '--scheme', 'frost', '--threshold', '4'], /--threshold: expected 2\.\.3, got 4/],
  [['cosign', 'start', '--coordinator', 'http://127.0.0.1:1', '--parties', '3', '--path', "m/86'/1'/0'", '--threshold', '2'], /--threshold: a MuSig2 session is n-of-n/],
  [['cosign', 'start', '--coordinator', 'http://127.0.0.1:1', '--parties', '3', '--path', "m/86'/1'/0'", '--scheme', 'schnorr'], /--scheme: expected musig2 or frost, got "schnorr"/],
  [['cosign', 'sign', '--coordinator', 'http://127.0.0.1:1', '--session', 'S', '--signers', '0;2'], /--signers: expected party numbers like 0,2/],
] as const)('%j is a usage error', async (argv, message) => {
  const r = await run([...argv]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
});

it('a malformed invite is refused before anything connects', async () => {
  const r = await run(['--transport', 'emulator', 'cosign', 'join', '--coordinator', 'http://127.0.0.1:1', '--invite', 'cosign1.AAAA', '--path', "m/86'/1'/0'"]);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/InviteError: invite: expected 129 bytes, got 3/);
});
