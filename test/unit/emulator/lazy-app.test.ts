import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../../apdu/apdu.ts';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { CLA_TAP, TAP_INS, TAP_PROTOCOL_VERSION } from '../../../apdu/tap-app/spec.ts';
import type { AppFactory, DeviceApp } from '../../../emulator/app.ts';
import { APPS } from '../../../emulator/apps/index.ts';
import { lazyApp } from '../../../emulator/apps/lazy.ts';
import { APPS_ON_DEMAND } from '../../../emulator/apps/on-demand.ts';
import { deviceOptionsWith, type AppRegistry } from '../../../emulator/create.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import { testApp } from './test-apps.ts';

const identity = (app: DeviceApp) => ({ name: app.name, version: app.version, flags: toHex(app.flags), home: app.home });

/** B0 01, then the app's GET_MASTER_FINGERPRINT, from a fresh emulated Nano S Plus running `key`. */
async function answers(registry: AppRegistry, key: string): Promise<string[]> {
  const device = new EmulatedDevice(deviceOptionsWith(registry, { app: key }));
  const fingerprint = key === 'tap' ? { cla: CLA_TAP, ins: TAP_INS.GET_MASTER_FINGERPRINT, p1: 0, p2: TAP_PROTOCOL_VERSION, data: new Uint8Array() } : { cla: 0xe1, ins: 0x05, p1: 0, p2: 1, data: new Uint8Array() };
  const out: string[] = [];
  for (const apdu of [fromHex('b001000000'), encodeCommand(fingerprint)]) out.push(toHex(await device.exchange(apdu)));
  return out;
}

describe('APPS_ON_DEMAND: the apps of APPS, their code loaded at the first command (emulator/apps/lazy.ts)', () => {
  it('has the keys, names and identities of APPS (name, version, flags, home)', () => {
    expect(Object.keys(APPS_ON_DEMAND)).toEqual(Object.keys(APPS));
    for (const [key, entry] of Object.entries(APPS)) {
      expect(APPS_ON_DEMAND[key]!.displayName, key).toBe(entry.displayName);
      expect(identity(APPS_ON_DEMAND[key]!.create()), key).toEqual(identity(entry.create()));
    }
  });

  it.each(Object.keys(APPS))('%s answers as the loaded app does', async (key) => {
    const expected = await answers(APPS, key);
    expect(expected[1]!.endsWith('9000')).toBe(true);
    expect(await answers(APPS_ON_DEMAND, key)).toEqual(expected);
  });

  it('answers B0 01 before loading, then hands commands to one app instance per launch', async () => {
    const loads: DeviceApp[] = [];
    const create = lazyApp({ name: 'Test App', version: '1.0.0', flags: Uint8Array.of(0x00) }, async () => () => {
      const app = testApp();
      loads.push(app);
      return app;
    });
    const d = new EmulatedDevice({ apps: { 'Test App': create }, startApp: 'Test App', statusTimeoutMs: 0 });
    const hex = async (apdu: string) => toHex(await d.exchange(fromHex(apdu)));
    expect(await hex('b001000000')).toBe('0108' + toHex(new TextEncoder().encode('Test App')) + '05312e302e3001009000');
    expect(loads).toHaveLength(0);
    expect(await hex('e105000000')).toBe('f5acc2fd9000');
    expect(await hex('e105000000')).toBe('f5acc2fd9000');
    expect(loads).toHaveLength(1);
    d.reset();
    expect(await hex('e105000000')).toBe('f5acc2fd9000');
    expect(loads).toHaveLength(2);
  });

  it('a command whose app was closed while its code loaded ends aborted and never runs', async () => {
    let release!: (f: AppFactory) => void;
    let ran = 0;
    const loaded = new Promise<AppFactory>((r) => (release = r));
    const create = lazyApp({ name: 'Test App', version: '1.0.0', flags: Uint8Array.of(0x00) }, () => loaded);
    const command = { cla: 0xe1, ins: 0x05, p1: 0, p2: 0, data: new Uint8Array() };
    const io = { respond: () => Promise.reject(new Error('unused')) };
    const [closed, open] = [create(), create()];
    const aborted = closed.handle(command, io, undefined as never);
    const answered = open.handle(command, io, undefined as never);
    closed.close?.();
    release(() => ({ ...testApp(), handle: async () => (ran++, Uint8Array.of(0x90, 0x00)) }));
    await expect(aborted).rejects.toMatchObject({ name: 'AppCommandAborted' });
    expect(toHex(await answered)).toBe('9000');
    expect(ran).toBe(1);
  });
});
