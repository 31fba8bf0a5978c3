import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import {
  HidUnavailableError,
  listHidDevices,
  loadHidBackend,
  NodeHidTransport,
  UDEV_RULES,
  type HidBackend,
  type HidDeviceInfo,
  type LedgerHidTransport,
} from '../../../devices/node-hid.ts';
import { openTransport } from '../../../devices/open.ts';

const APT_HINT = 'sudo apt-get install libusb-1.0-0-dev libudev-dev';

function notFound(id: string): never {
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

let hidInstalled = true;
try {
  createRequire(import.meta.url).resolve('@ledgerhq/hw-transport-node-hid');
} catch {
  hidInstalled = false;
}

/**
 * Stands in for Ledger's node-hid transport, which needs hardware: it records what it is asked and
 * answers like a device, so our wrapper's handling (Buffer conversion, disconnect, close) is checked.
 */
class FakeLedgerHid implements LedgerHidTransport {
  closed = false;
  sent: string[] = [];
  private disconnect: ((err?: unknown) => void) | undefined;
  async exchange(apdu: Buffer): Promise<Buffer> {
    this.sent.push(apdu.toString('hex'));
    return Buffer.from('f5acc2fd9000', 'hex');
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  on(_event: 'disconnect', listener: (err?: unknown) => void): void {
    this.disconnect = listener;
  }
  unplug(): void {
    this.disconnect?.(new Error('usb gone'));
  }
}

const NANO_SP: HidDeviceInfo = { path: '/dev/hidraw3', productId: 0x5011, product: 'Nano S Plus', model: 'nanosp' };
const FLEX: HidDeviceInfo = { path: '/dev/hidraw5', productId: 0x7011, model: 'flex' };

function backend(devices: HidDeviceInfo[], opened: FakeLedgerHid[] = []): HidBackend {
  return {
    devices: () => devices,
    open: async (path) => {
      const t = new FakeLedgerHid();
      t.sent.push(`open ${path}`);
      opened.push(t);
      return t;
    },
  };
}

describe('node-hid loading', () => {
  it('a missing @ledgerhq/hw-transport-node-hid is HidUnavailableError with the apt-get hint and the udev rule', () => {
    let err: unknown;
    try {
      loadHidBackend(notFound);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HidUnavailableError);
    expect(err).toMatchObject({ name: 'HidUnavailableError' });
    const message = (err as Error).message;
    expect(message).toContain('@ledgerhq/hw-transport-node-hid is not installed');
    expect(message).toContain(APT_HINT);
    expect(message).toContain(UDEV_RULES);
    expect(message).toContain('--transport emulator');
    expect(UDEV_RULES).toContain('ATTRS{idVendor}=="2c97"');
  });

  it('a native module that fails to load is HidUnavailableError too', () => {
    const broken = (id: string) => {
      if (id === 'node-hid') throw new Error('libusb-1.0.so.0: cannot open shared object file');
      return { default: { open: async () => new FakeLedgerHid() } };
    };
    expect(() => loadHidBackend(broken)).toThrow(/failed to load \(libusb-1\.0\.so\.0: cannot open shared object file\)/);
  });

  it.skipIf(hidInstalled)('on this machine (package not installed) the real loader says so', async () => {
    expect(() => listHidDevices()).toThrow(expect.objectContaining({ name: 'HidUnavailableError', message: expect.stringContaining(APT_HINT) }));
    await expect(openTransport('hid')).rejects.toMatchObject({ name: 'HidUnavailableError' });
    await expect(openTransport('auto')).rejects.toMatchObject({ name: 'HidUnavailableError', message: expect.stringContaining('--transport auto') });
  });

  it('lists Ledger APDU interfaces through node-hid, with the model from the product id', () => {
    const calls: unknown[] = [];
    const loader = (id: string) =>
      id === 'node-hid'
        ? {
            devices: (vid: number, pid: number) => {
              calls.push([vid, pid]);
              return [
                { path: '/dev/hidraw3', productId: 0x5011, product: 'Nano S Plus', interface: 0, usagePage: 0xffa0 },
                { path: '/dev/hidraw4', productId: 0x5011, product: 'Nano S Plus', interface: 1, usagePage: 0xf1d0 },
                { path: '/dev/hidraw5', productId: 0x7011, interface: 0, usagePage: 0xffa0 },
              ];
            },
          }
        : { default: { open: async () => new FakeLedgerHid() } };
    const found = listHidDevices(loadHidBackend(loader));
    expect(calls).toEqual([[0x2c97, 0]]);
    expect(found).toEqual([NANO_SP, FLEX]);
  });
});

describe('NodeHidTransport over Ledger transport', () => {
  it('exchanges Uint8Array through Ledger Buffers, closes, and reports unplugging', async () => {
    const opened: FakeLedgerHid[] = [];
    const t = await NodeHidTransport.open({ backend: backend([NANO_SP], opened) });
    expect(t.kind).toBe('hid');
    expect(t.path).toBe('/dev/hidraw3');
    const response = await t.exchange(fromHex('e105000000'));
    expect(response).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(response)).toBe(false);
    expect(toHex(response)).toBe('f5acc2fd9000');
    expect(opened[0]!.sent).toEqual(['open /dev/hidraw3', 'e105000000']);
    const heard: (Error | undefined)[] = [];
    t.onDisconnect((r) => heard.push(r));
    opened[0]!.unplug();
    expect(heard[0]).toMatchObject({ name: 'TransportDisconnectedError' });
    await expect(t.exchange(fromHex('e105000000'))).rejects.toMatchObject({ name: 'TransportClosedError' });
    expect(opened[0]!.closed).toBe(true);
  });

  it('"hid" with no device names what to do', async () => {
    await expect(openTransport('hid', { hid: () => backend([]) })).rejects.toMatchObject({
      name: 'TransportSpecError',
      message: expect.stringContaining('got none'),
    });
  });
});

describe('openTransport', () => {
  it('auto opens the one attached device', async () => {
    const opened: FakeLedgerHid[] = [];
    const t = await openTransport('auto', { hid: () => backend([FLEX], opened) });
    expect(toHex(await t.exchange(fromHex('e105000000')))).toBe('f5acc2fd9000');
    expect(opened[0]!.sent[0]).toBe('open /dev/hidraw5');
    await t.close();
    expect(opened[0]!.closed).toBe(true);
  });

  it('auto with no device refuses and suggests the emulator, never falling back', async () => {
    await expect(openTransport('auto', { hid: () => backend([]) })).rejects.toMatchObject({
      name: 'TransportSpecError',
      message: expect.stringMatching(/expected exactly one Ledger device on USB, found none.*--transport emulator/),
    });
  });

  it('auto with several devices lists them and suggests the emulator', async () => {
    await expect(openTransport('auto', { hid: () => backend([NANO_SP, FLEX]) })).rejects.toMatchObject({
      name: 'TransportSpecError',
      message:
        'transport auto: expected exactly one Ledger device on USB, found 2: Nano S Plus (pid 0x5011, /dev/hidraw3); ' +
        'flex (pid 0x7011, /dev/hidraw5); unplug all but one, or use `--transport emulator`',
    });
  });

  it.each([
    ['emulator', /opened by the CLI/],
    ['speculos-tcp://127.0.0.1', /HOST:PORT with a port 1\.\.65535/],
    ['speculos-tcp://127.0.0.1:0', /HOST:PORT/],
    ['speculos-http://host:5000/path', /HOST:PORT/],
    ['speculos-tcp://', /expected speculos-tcp:\/\/HOST:PORT/],
    ['usb', /expected one of auto, hid, emulator, speculos-tcp:\/\/HOST:PORT, speculos-http:\/\/HOST:PORT, got "usb"/],
  ])('refuses %j with TransportSpecError', async (spec, message) => {
    await expect(openTransport(spec, { hid: () => backend([]) })).rejects.toMatchObject({ name: 'TransportSpecError', message: expect.stringMatching(message) });
  });
});
