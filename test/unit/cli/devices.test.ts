// `taproot-hw devices`: with no device an empty list and exit 0 (real node-hid, which finds nothing
// on a machine without a Ledger); with devices, what answers B0 01 on each, through stand-in HID
// handles in front of the emulator.

import { describe, expect, it } from 'vitest';
import { attachedDevices } from '../../../cli/commands/devices.ts';
import { main } from '../../../cli/main.ts';
import { emulatorBackend, type EmulatorHidHandle } from '../devices/hid-stand-in.ts';
import { TransportError } from '../../../devices/errors.ts';

const USB_TIER = process.env.LEDGER_HID === '1';

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out, err };
}

describe('taproot-hw devices', () => {
  it.skipIf(USB_TIER)('with no device attached: an empty list and exit 0', async () => {
    expect(await cli(['--json', 'devices'])).toEqual({ code: 0, out: ['{"devices":[]}'], err: [] });
    expect(await cli(['devices'])).toEqual({ code: 0, out: ['no Ledger device attached over USB'], err: [] });
  });

  it('names the model from the product id, the path, the app that answers B0 01, or locked', async () => {
    const opened: EmulatorHidHandle[] = [];
    const backend = emulatorBackend(
      [
        { path: '/dev/hidraw1', productId: 0x5011, model: 'nanosp' },
        { path: '/dev/hidraw2', productId: 0x7011, model: 'flex' },
        { path: '/dev/hidraw3', productId: 0x9911 },
      ],
      opened,
    );
    const open = backend.open;
    backend.open = async (path) => {
      const handle = await open(path);
      const emulator = opened.at(-1)!.emulator;
      if (path === '/dev/hidraw2') emulator.lock();
      if (path === '/dev/hidraw3') emulator.quitApp();
      return handle;
    };
    expect(await attachedDevices(backend)).toEqual([
      { path: '/dev/hidraw1', productId: 0x5011, model: 'Ledger Nano S Plus', state: 'app', app: { name: 'Bitcoin Test', version: expect.stringMatching(/^\d+\.\d+\.\d+$/) }, detail: null },
      { path: '/dev/hidraw2', productId: 0x7011, model: 'Ledger Flex', state: 'locked', app: null, detail: null },
      { path: '/dev/hidraw3', productId: 0x9911, model: null, state: 'app', app: { name: 'BOLOS', version: expect.any(String) }, detail: null },
    ]);
    expect(opened.every((h) => h.closed)).toBe(true);
  });

  it('a device that cannot be opened is listed with the reason, not dropped', async () => {
    const backend = emulatorBackend([{ path: '/dev/hidraw1', productId: 0x5011, model: 'nanosp' }]);
    backend.open = async () => Promise.reject(new TransportError('E_HID_OPEN', 'hid /dev/hidraw1: expected to open the device, got "permission denied"\nrule'));
    expect(await attachedDevices(backend)).toEqual([
      { path: '/dev/hidraw1', productId: 0x5011, model: 'Ledger Nano S Plus', state: 'no-answer', app: null, detail: 'HidOpenError: hid /dev/hidraw1: expected to open the device, got "permission denied"' },
    ]);
  });

  it('--wait takes seconds', async () => {
    expect((await cli(['--wait', 'soon', 'devices'])).err).toEqual(['taproot-hw: --wait: expected seconds 0..86400, got "soon"']);
  });
});
