// Both apps' request-decoding tests (test/unit/emulator-bitcoin, test/unit/tap-app): an app derived
// from its description answers each truncation of a valid request that the command's spec refuses
// with the status word the spec names (apdu/command-spec.ts requestErrorStatus: 6A87 for short
// data, a RequestError's own otherwise).

import { expect } from 'vitest';
import { encodeCommand, type CommandApdu } from '../../../apdu/apdu.ts';
import { toHex, u16be } from '../../../apdu/bytes.ts';
import { requestErrorStatus, type AppWire, type CommandSpec } from '../../../apdu/command-spec.ts';

/** What the spec says the app answers to `data`, or undefined when the decoder accepts it. */
function expectedStatus(spec: CommandSpec<unknown, unknown>, data: Uint8Array): number | undefined {
  try {
    spec.decodeRequest(data);
    return undefined;
  } catch (e) {
    return requestErrorStatus(e);
  }
}

/**
 * Sends every refused truncation of a valid request of each command of `app` (`samples` by command
 * name, one for every command) and checks the answers; returns how many it checked.
 */
export async function checkTruncations(
  device: { exchange(apdu: Uint8Array): Promise<Uint8Array> },
  app: AppWire,
  samples: Readonly<Record<string, unknown>>,
  command: (spec: CommandSpec<unknown, unknown>, req: unknown) => CommandApdu,
): Promise<number> {
  expect(Object.keys(samples).sort()).toEqual(app.commands.map((c) => c.name).sort());
  let checked = 0;
  for (const spec of app.commands) {
    const full = command(spec, samples[spec.name]);
    for (let n = 0; n < full.data.length; n++) {
      const data = full.data.subarray(0, n);
      const sw = expectedStatus(spec, data);
      if (sw === undefined) continue;
      const answer = await device.exchange(encodeCommand({ ...full, data }));
      expect(toHex(answer), `${spec.name} cut at ${n}`).toBe(toHex(u16be(sw)));
      checked++;
    }
  }
  return checked;
}
