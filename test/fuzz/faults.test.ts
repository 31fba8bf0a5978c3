// The stateful fuzzer counts a crash only when an app reports it: both end in a status word on the
// wire (B007), so without AppContext.fault a bug in an app looks like a refusal. Here an exception
// that is none of the apps' status-word errors is raised inside each app, in the middle of a
// command (the channel to the host breaks with a TypeError), and must reach the fuzzer's person.

import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeCommand } from '../../apdu/apdu.ts';
import { toHex } from '../../apdu/bytes.ts';
import type { AppFactory } from '../../emulator/app.ts';
import { EmulatedDevice } from '../../emulator/device.ts';
import { Person } from './person.ts';
import type { FuzzTarget } from './stateful/engine.ts';
import { bitcoinTarget } from './stateful/bitcoin.ts';
import { tapTarget } from './stateful/tap.ts';
import { prng } from './prng.ts';

/** The app, with a channel to the host that throws a plain TypeError on the first client command. */
function broken(factory: AppFactory): AppFactory {
  return () => {
    const app = factory();
    return {
      ...app,
      handle: (cmd, _io, ctx) =>
        app.handle(cmd, { respond: () => Promise.reject(new TypeError('the channel broke')) }, ctx),
    };
  };
}

/** A scenario of each target whose valid request asks the host a client command. */
const CASES: [string, FuzzTarget, string][] = [
  ['Bitcoin app', bitcoinTarget, 'sign-message'],
  ['Taproot Assets app', tapTarget, 'sign-group-genesis'],
];

describe('internal faults reach the fuzzer', () => {
  it.each(CASES)('%s: a TypeError inside a command is reported through AppContext.fault and still answered B007', async (_name, target, scenario) => {
    const person = new Person();
    const device = new EmulatedDevice({ apps: { [target.appName]: person.wrap(broken(target.create)) }, startApp: target.appName, statusTimeoutMs: 0 });
    person.device = device;
    const s = target.scenarios.find((x) => x.name === scenario)!;
    // sign-message and sign-group-genesis build their request without a session.
    const served = await s.build(prng(1), false, undefined as never);
    const answer = decodeResponse(await device.exchange(encodeCommand(served.command)));
    expect(answer.statusWord).toBe(0xb007);
    expect(person.faults).toHaveLength(1);
    expect(person.faults[0]).toMatchObject({ name: 'TypeError', message: 'the channel broke' });
    // A command that needs no client command still gets its answer, and reports nothing.
    person.forget();
    expect(toHex(await device.exchange(target.probe.command))).toBe(target.probe.answer);
    expect(person.faults).toEqual([]);
  });
});
