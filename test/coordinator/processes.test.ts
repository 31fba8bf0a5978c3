// Must-show of issue 13, across process boundaries: a `taproot-hw coordinator serve` process on a
// PGlite directory, three `taproot-hw emulator` processes (different seeds) reached over their
// Speculos APDU TCP ports, and the parties as `taproot-hw cosign` processes. The key exchange
// registers one policy on every device (each review approved on screen over the REST API), a first
// spend completes, and a second spend survives a SIGKILL of the coordinator between step 2
// (nonces) and step 3 (partial signatures): the coordinator restarts on the same store and port
// while the parties retry. Both final signatures verify independently (fixture.ts). Then, on the same
// processes switched to the Taproot Assets app (E0 D8), a FROST 2-of-3 (issue 14): `cosign start
// --scheme frost --threshold 2` and two joins run the DKG (each key-set review approved on screen), and
// parties 0 and 2 spend from the group key's output while party 1 sits out.

import { execa, type ResultPromise } from 'execa';
import { base64 } from '@scure/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpeculosHttpControl } from '../../devices/speculos-http.ts';
import { MODELS } from '../../devices/models.ts';
import { approveReview, EMULATOR_HOLD_MS } from '../../harness/navigate.ts';
import { httpScreen } from '../../harness/remote.ts';
import { CLI, ROOT, startEmulatorProcess, type EmulatorProcess } from '../compat/emulator-process.ts';
import { MNEMONICS, expectFrostSpend, expectSignedSpend, frostSpendPsbt, spendPsbt, tempDir } from './fixture.ts';
import { SpeculosTcpTransport } from '../../devices/speculos-tcp.ts';
import { fromHex, toHex } from '../../apdu/bytes.ts';

const ACCOUNT = "m/86'/1'/0'";

interface Proc {
  child: ResultPromise;
  lines: string[];
  stderr: () => string;
  /** Resolves with the n-th stdout line (0-based) as JSON. */
  line(n: number): Promise<any>;
  /** Resolves once stderr contains `text`. */
  saw(text: string): Promise<void>;
}

function spawn(args: string[]): Proc {
  const child = execa('node', [...CLI, ...args], { cwd: ROOT, reject: false, buffer: false, env: { TAPROOT_HW_HOME: tempDir('home') } });
  const lines: string[] = [];
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const poke = () => waiters.splice(0).forEach((w) => w());
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      lines.push(out.slice(0, nl));
      out = out.slice(nl + 1);
    }
    poke();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
    poke();
  });
  let exited = false;
  void child.then(() => {
    exited = true;
    poke();
  });
  const until = <T>(ready: () => T | undefined, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = ready();
        if (v !== undefined) return resolve(v);
        if (exited) return reject(new Error(`${args.slice(0, 2).join(' ')} exited before ${what}; stderr: ${err}`));
        waiters.push(check);
      };
      check();
    });
  return {
    child,
    lines,
    stderr: () => err,
    line: (n) => until(() => (lines.length > n ? JSON.parse(lines[n]!) : undefined), `stdout line ${n}`),
    saw: (text) => until(() => (err.includes(text) ? true : undefined), `"${text}" on stderr`).then(() => {}),
  };
}

async function exitOk(p: Proc): Promise<void> {
  const r = await p.child;
  expect(r.exitCode, p.stderr()).toBe(0);
}

describe('coordinator + three emulator processes through the CLI', () => {
  let emulators: EmulatorProcess[];
  let coordinator: Proc;
  const storeDir = tempDir('coordinator-store');
  const homes = [0, 1, 2].map(() => tempDir('party'));
  let url: string;

  const serve = (listen: string) => spawn(['coordinator', 'serve', '--listen', listen, '--store', storeDir]);
  const cosign = (i: number, args: string[], app: string[] = []) =>
    spawn(['--transport', `speculos-tcp://127.0.0.1:${emulators[i]!.ports.apduPort}`, ...app, 'cosign', ...args, '--coordinator', url, '--state', homes[i]!]);
  /** Approves the next review on a device, on screen, as a person would. */
  const approve = (e: EmulatorProcess) => approveReview(httpScreen(new SpeculosHttpControl(e.ports.url), { pressDelayS: 0 }), MODELS.nanosp, 60_000, EMULATOR_HOLD_MS);
  const approveAll = () => Promise.all(emulators.map(approve));
  /** Quits the open app (B0 A7) and opens the Taproot Assets app (E0 D8), as the dashboard would. */
  async function openTapApp(e: EmulatorProcess): Promise<void> {
    const t = await SpeculosTcpTransport.open({ port: e.ports.apduPort });
    try {
      expect(toHex(await t.exchange(fromHex('b0a7000000')))).toBe('9000');
      const name = new TextEncoder().encode('Taproot Assets');
      expect(toHex(await t.exchange(Uint8Array.of(0xe0, 0xd8, 0, 0, name.length, ...name)))).toBe('9000');
    } finally {
      await t.close();
    }
  }

  beforeAll(async () => {
    coordinator = serve('127.0.0.1:0');
    emulators = await Promise.all(
      // Blind signing on: the FROST spend signs a sighash the host computed (docs/frost.md §2.6).
      MNEMONICS.map((seed) => startEmulatorProcess(['--seed', seed, '--model', 'nanosp', '--api-port', '0', '--apdu-port', '0', '--blind-signing'])),
    );
    url = (await coordinator.line(0)).url;
  });

  afterAll(async () => {
    coordinator?.child.kill('SIGTERM');
    await Promise.all((emulators ?? []).map((e) => e.stop()));
  });

  // Two schemes on the same processes take longer than the default minute on a loaded machine.
  it('exchanges keys, spends, and spends again across a SIGKILL of the coordinator; then FROST 2-of-3', { timeout: 180_000 }, async () => {
    const start = cosign(0, ['start', '--parties', '3', '--path', ACCOUNT]);
    const { session, invites } = await start.line(0);
    expect(invites).toHaveLength(3 - 1);
    const joins = invites.map((invite: string, i: number) => cosign(i + 1, ['join', '--invite', invite, '--path', ACCOUNT]));
    await approveAll();
    await Promise.all([start, ...joins].map(exitOk));
    const policies = await Promise.all([start.line(1), ...joins.map((j: Proc) => j.line(1))]);
    expect(policies[0].policy).toBe('tr(musig(@0,@1,@2)/**)');
    expect(policies[0].hmac).toMatch(/^[0-9a-f]{64}$/);
    // The same policy, id and first address everywhere; each device its own HMAC.
    for (const p of policies) expect({ ...p, hmac: undefined }).toEqual({ ...policies[0], hmac: undefined });
    expect(new Set(policies.map((p) => p.hmac)).size).toBe(3);

    const psbt = base64.encode(spendPsbt(policies[0]));
    const sign = () => [cosign(0, ['sign', '--session', session, psbt]), cosign(1, ['sign', '--session', session]), cosign(2, ['sign', '--session', session])];

    const first = sign();
    await approveAll();
    await Promise.all(first.map(exitOk));
    const [signed, ...others] = await Promise.all(first.map((p) => p.line(0)));
    expectSignedSpend(policies[0], signed.psbt, signed.signature);
    for (const o of others) expect(o.signature).toBe(signed.signature);

    // Every party holds all nonces (step 2) and waits at its device's review before round 2 (step 3).
    const second = sign();
    await Promise.all(second.map((p) => p.saw('cosign: nonce/2 received from')));
    coordinator.child.kill('SIGKILL');
    expect((await coordinator.child).signal).toBe('SIGKILL');
    // The parties post their partial signatures to a coordinator that is not there, and retry.
    await approveAll();
    coordinator = serve(new URL(url).host);
    expect((await coordinator.line(0)).url).toBe(url);
    await Promise.all(second.map(exitOk));
    const [resigned, ...others2] = await Promise.all(second.map((p) => p.line(0)));
    expectSignedSpend(policies[0], resigned.psbt, resigned.signature);
    for (const o of others2) expect(o.signature).toBe(resigned.signature);

    // FROST 2-of-3 on the same devices, now in the Taproot Assets app.
    await Promise.all(emulators.map(openTapApp));
    const tap = ['--app', 'tap'];
    const fstart = cosign(0, ['start', '--parties', '3', '--path', ACCOUNT, '--scheme', 'frost', '--threshold', '2'], tap);
    const frost = await fstart.line(0);
    const fjoins = frost.invites.map((invite: string, i: number) => cosign(i + 1, ['join', '--invite', invite, '--path', ACCOUNT], tap));
    await approveAll();
    await Promise.all([fstart, ...fjoins].map(exitOk));
    const keySets = await Promise.all([fstart.line(1), ...fjoins.map((j: Proc) => j.line(1))]);
    expect(keySets[0]).toMatchObject({ scheme: 'frost', threshold: 2, parties: 3 });
    for (const k of keySets) expect(k).toEqual(keySets[0]);
    const fpsbt = base64.encode(frostSpendPsbt(keySets[0], 7));
    const fsign = [cosign(0, ['sign', '--session', frost.session, fpsbt, '--signers', '0,2'], tap), cosign(2, ['sign', '--session', frost.session], tap)];
    await Promise.all([approve(emulators[0]!), approve(emulators[2]!)]);
    await Promise.all(fsign.map(exitOk));
    const [fsigned, fother] = await Promise.all(fsign.map((p) => p.line(0)));
    expectFrostSpend(keySets[0], fsigned.psbt, fsigned.signature);
    expect(fother.signature).toBe(fsigned.signature);

    // SIGTERM stops it cleanly.
    coordinator.child.kill('SIGTERM');
    expect((await coordinator.child).exitCode).toBe(0);
  });
});
