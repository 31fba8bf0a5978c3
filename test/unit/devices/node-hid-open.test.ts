// The USB HID transport without a device. node-hid itself is loaded for real (it installs prebuilt:
// no compiler, no libusb/libudev headers); the device behind it is a stand-in HID handle that feeds
// the emulator's answers through our HID framing, so every byte on the "wire" is what a Ledger would
// send and receive. The USB tier (LEDGER_HID=1) runs the real thing in test/conformance.

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HDKey } from '@scure/bip32';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex } from '../../../apdu/bytes.ts';
import {
  ledgerInterfaces,
  listHidDevices,
  loadHidBackend,
  NodeHidTransport,
  UDEV_RULES,
  type HidBackend,
  type HidDeviceInfo,
} from '../../../devices/node-hid.ts';
import { openTransport } from '../../../devices/open.ts';
import { watchLedgerAttach, type AttachWatcher, type UsbAttachEmitter } from '../../../devices/usb-hotplug.ts';
import { emulatorBackend, type EmulatorHidHandle } from './hid-stand-in.ts';
import { BitcoinAppClient } from '../../../host/bitcoin-app/client.ts';
import { parseSeed } from '../../../emulator/seed.ts';
import { isTaprootHwError } from '../../../apdu/errors.ts';

const USB_TIER = process.env.LEDGER_HID === '1';

function notFound(id: string): never {
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

const NANO_SP: HidDeviceInfo = { path: '/dev/hidraw3', productId: 0x5011, product: 'Nano S Plus', model: 'nanosp' };
const FLEX: HidDeviceInfo = { path: '/dev/hidraw5', productId: 0x7011, model: 'flex' };

describe('node-hid loading', () => {
  it('a missing node-hid is HidUnavailableError with the install hint and the udev rule', () => {
    let err: unknown;
    try {
      loadHidBackend(notFound);
    } catch (e) {
      err = e;
    }
    expect(isTaprootHwError(err, 'E_HID_UNAVAILABLE')).toBe(true);
    expect((err as Error).name).toBe('HidUnavailableError');
    const message = (err as Error).message;
    expect(message).toContain('node-hid is not installed');
    expect(message).toContain('npm install node-hid@3');
    expect(message).toContain(UDEV_RULES);
    expect(message).toContain('--transport emulator');
    expect(UDEV_RULES).toContain('ATTRS{idVendor}=="2c97"');
  });

  it('a native module that fails to load, or node-hid 2 (no HIDAsync), is HidUnavailableError too', () => {
    const broken = () => {
      throw new Error('libudev.so.1: cannot open shared object file');
    };
    expect(() => loadHidBackend(broken)).toThrow(expect.objectContaining({ code: 'E_HID_UNAVAILABLE' }));
    expect(() => loadHidBackend(broken)).toThrow(/node-hid failed to load \(libudev\.so\.1: cannot open shared object file\)/);
    expect(() => loadHidBackend(() => ({ devices: () => [] }))).toThrow(/version 3 is needed/);
  });

  it.skipIf(USB_TIER)('the real node-hid loads after npm ci (prebuilt, no compiler) and finds no Ledger on this machine', async () => {
    expect(await listHidDevices()).toEqual([]);
  });

  it('keeps only Ledger APDU interfaces (interface 0 on Linux, usage page 0xffa0 on macOS and Windows), with the model from the product id', () => {
    const raw = [
      { path: '/dev/hidraw3', productId: 0x5011, product: 'Nano S Plus', interface: 0, usagePage: 0xffa0 },
      { path: '/dev/hidraw4', productId: 0x5011, product: 'Nano S Plus', interface: 1, usagePage: 0xf1d0 },
      { path: '/dev/hidraw5', productId: 0x7011, interface: 0, usagePage: 0xffa0 },
      { productId: 0x4011, interface: 0 },
    ];
    expect(ledgerInterfaces(raw, 'linux')).toEqual([NANO_SP, FLEX]);
    expect(ledgerInterfaces(raw, 'darwin').map((d) => d.path)).toEqual(['/dev/hidraw3', '/dev/hidraw5']);
    expect(ledgerInterfaces([{ path: 'x', productId: 0x0005, interface: 0 }], 'linux')).toEqual([{ path: 'x', productId: 5, model: 'nanosp' }]);
    // A product string with control characters (it comes from the device and gets printed) is dropped.
    expect(ledgerInterfaces([{ path: 'y', productId: 0x5011, product: 'Nano\u001b[2J', interface: 0 }], 'linux')).toEqual([{ path: 'y', productId: 0x5011, model: 'nanosp' }]);
  });

  it('a device that cannot be opened is HidOpenError naming the path and the udev rule', async () => {
    const backend = loadHidBackend((id) => {
      expect(id).toBe('node-hid');
      return {
        devicesAsync: async () => [{ path: '/dev/hidraw3', productId: 0x5011, interface: 0 }],
        HIDAsync: { open: async (path: string) => Promise.reject(new Error(`cannot open device with path ${path}`)) },
      };
    });
    const err = await NodeHidTransport.open({ backend }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_HID_OPEN' });
    expect((err as Error).message).toMatch(/^hid \/dev\/hidraw3: expected to open the device, got "cannot open device with path \/dev\/hidraw3"/);
    expect((err as Error).message).toContain(UDEV_RULES);
  });
});

describe('NodeHidTransport over a stand-in HID handle answered by the emulator', () => {
  it('runs Bitcoin app commands through 64-byte packets on one channel, report id 0 first', async () => {
    const opened: EmulatorHidHandle[] = [];
    const t = await NodeHidTransport.open({ backend: emulatorBackend([NANO_SP], opened), channel: 0x0101 });
    expect([t.kind, t.path, t.channel]).toEqual(['hid', '/dev/hidraw3', 0x0101]);
    const client = new BitcoinAppClient(t);
    expect(toHex(await client.getMasterFingerprint())).toBe('f5acc2fd');
    // GET_MASTER_FINGERPRINT is one report: id 00, channel 0101, tag 05, sequence 0000, length 0005, e105000100, zero padded.
    expect(opened[0]!.written).toHaveLength(1);
    expect(toHex(opened[0]!.written[0]!)).toBe('00' + '0101' + '05' + '0000' + '0005' + 'e105000100'.padEnd(114, '0'));

    // A message signature: the command and the answer span several packets each.
    const path = [0x80000000 + 84, 0x80000001, 0x80000000, 0, 7];
    const message = new TextEncoder().encode('HID framing, several packets each way '.repeat(4));
    const before = opened[0]!.written.length;
    const sig = await client.signMessage(message, path);
    expect(opened[0]!.written.length - before).toBeGreaterThan(2);
    const key = HDKey.fromMasterSeed(parseSeed().seed).derive("m/84'/1'/0'/0/7");
    const varint = message.length < 0xfd ? Uint8Array.of(message.length) : Uint8Array.of(0xfd, message.length & 0xff, message.length >> 8);
    const digest = sha256(sha256(concat(new TextEncoder().encode('\x18Bitcoin Signed Message:\n'), varint, message)));
    const raw = Uint8Array.from(Buffer.from(sig.base64, 'base64'));
    const recovered = secp256k1.Signature.fromBytes(raw.subarray(1), 'compact').addRecoveryBit((raw[0]! - 27) & 3).recoverPublicKey(digest);
    expect(toHex(recovered.toBytes(true))).toBe(toHex(key.publicKey!));
    await t.close();
    expect(opened[0]!.closed).toBe(true);
  });

  it('unplugging during an exchange is TransportDisconnectedError; listeners hear it and the transport is closed', async () => {
    const opened: EmulatorHidHandle[] = [];
    const t = await NodeHidTransport.open({ backend: emulatorBackend([NANO_SP], opened) });
    const heard: (Error | undefined)[] = [];
    t.onDisconnect((r) => heard.push(r));
    // The device takes the command, then goes away before answering.
    opened[0]!.silent = true;
    const pending = t.exchange(fromHex('e105000000'));
    opened[0]!.unplug();
    await expect(pending).rejects.toMatchObject({ code: 'E_DISCONNECTED', message: expect.stringContaining('hid /dev/hidraw3: device disconnected during an exchange') });
    expect(heard[0]).toMatchObject({ code: 'E_DISCONNECTED' });
    await expect(t.exchange(fromHex('e105000000'))).rejects.toMatchObject({ code: 'E_TRANSPORT_CLOSED' });
    expect(opened[0]!.closed).toBe(true);
  });

  it('an answer on another channel is refused (E_HID_FRAMING), never taken for ours, and the transport closes', async () => {
    const opened: EmulatorHidHandle[] = [];
    const t = await NodeHidTransport.open({ backend: emulatorBackend([NANO_SP], opened), channel: 0x0101 });
    opened[0]!.answerChannel = 0x0202;
    await expect(t.exchange(fromHex('e105000000'))).rejects.toMatchObject({ code: 'E_HID_FRAMING', message: 'hid packet: expected channel 0x0101, got 0x0202' });
    // The stream is out of step: the transport closed rather than read on.
    await expect(t.exchange(fromHex('e105000000'))).rejects.toMatchObject({ code: 'E_TRANSPORT_CLOSED', message: expect.stringContaining('expected channel 0x0101') });
    expect(opened[0]!.closed).toBe(true);
  });

  it('a locked device and the wrong app come back as the clients\' typed errors', async () => {
    const opened: EmulatorHidHandle[] = [];
    const t = await NodeHidTransport.open({ backend: emulatorBackend([NANO_SP], opened) });
    const { emulator } = opened[0]!;
    emulator.lock();
    await expect(new BitcoinAppClient(t).getMasterFingerprint()).rejects.toMatchObject({ code: 'E_LOCKED' });
    emulator.unlock();
    emulator.quitApp();
    await expect(new BitcoinAppClient(t).getExtendedPubkey([0x80000056, 0x80000001, 0x80000000])).rejects.toMatchObject({ code: 'E_WRONG_APP' });
    await t.close();
  });
});

describe('openTransport over USB', () => {
  it('auto opens the one attached device', async () => {
    const t = await openTransport('auto', { hid: () => emulatorBackend([FLEX]) });
    expect(toHex(await new BitcoinAppClient(t).getMasterFingerprint())).toBe('f5acc2fd');
    await t.close();
  });

  it('auto with no device says so first, then the emulator and Speculos, then the USB set-up; never falls back', async () => {
    const err = (await openTransport('auto', { hid: () => emulatorBackend([]) }).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('TransportSpecError');
    expect(err.message).toMatch(/^transport auto: no Ledger device found on USB; without a device, use `--transport emulator`/);
    const at = (s: string) => err.message.indexOf(s);
    expect(at('speculos-tcp://127.0.0.1:9999')).toBeGreaterThan(at('--transport emulator'));
    expect(at('plug it in, unlock it')).toBeGreaterThan(at('speculos-tcp://'));
    expect(at(UDEV_RULES)).toBeGreaterThan(at('plug it in'));
  });

  it('auto without node-hid also starts with what works without a device, then how to install it', async () => {
    const err = (await openTransport('auto', { hid: () => loadHidBackend(notFound) }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^transport auto: cannot look for a Ledger on USB; without a device, use `--transport emulator`.*To use USB: node-hid/s);
    await expect(openTransport('hid', { hid: () => loadHidBackend(notFound) })).rejects.toMatchObject({ code: 'E_HID_UNAVAILABLE' });
  });

  it('auto with several devices lists them and suggests the emulator', async () => {
    await expect(openTransport('auto', { hid: () => emulatorBackend([NANO_SP, FLEX]) })).rejects.toMatchObject({
      code: 'E_TRANSPORT_SPEC',
      message:
        'transport auto: expected exactly one Ledger device on USB, found 2: Nano S Plus (pid 0x5011, /dev/hidraw3); ' +
        'flex (pid 0x7011, /dev/hidraw5); unplug all but one, or use `--transport emulator`',
    });
  });

  it('--wait: auto re-enumerates at each attach event until a device is there', async () => {
    const attached: HidDeviceInfo[] = [];
    let enumerations = 0;
    const backend = emulatorBackend(attached);
    const counting: HidBackend = { ...backend, devices: async () => (enumerations++, [...attached]) };
    const waits: number[] = [];
    let closed = false;
    const watcher: AttachWatcher = {
      // The first event is a Flex being plugged in; the attach wakes the waiter.
      next: async (ms) => {
        waits.push(ms);
        if (waits.length === 2) attached.push(FLEX);
      },
      close: () => (closed = true),
    };
    const t = await openTransport('auto', { hid: () => counting, waitMs: 60_000, watch: () => watcher });
    expect(enumerations).toBe(3);
    expect(waits).toHaveLength(2);
    expect(waits.every((ms) => ms > 0 && ms <= 500)).toBe(true);
    expect(closed).toBe(true);
    expect(toHex(await new BitcoinAppClient(t).getMasterFingerprint())).toBe('f5acc2fd');
    await t.close();
  });

  it('--wait that runs out names how long it waited', async () => {
    const watcher: AttachWatcher = { next: () => new Promise((r) => setImmediate(r)), close: () => {} };
    await expect(openTransport('auto', { hid: () => emulatorBackend([]), waitMs: 1, watch: () => watcher })).rejects.toMatchObject({
      message: expect.stringMatching(/^transport auto: no Ledger device found on USB within 0\.001 s; /),
    });
    await expect(openTransport('auto', { waitMs: -1 })).rejects.toThrow(RangeError);
  });
});

describe('watchLedgerAttach (usb connect events)', () => {
  it('wakes on a Ledger (vendor 2c97) attach, ignores other vendors, and removes its callback on close', async () => {
    let callback: ((d: { vendorId?: number }) => void) | undefined;
    const usb: UsbAttachEmitter = {
      addAttach: async (cb) => void (callback = cb),
      removeAttach: async () => void (callback = undefined),
    };
    const w = watchLedgerAttach(() => usb);
    await new Promise((r) => setImmediate(r));
    expect(callback).toBeDefined();
    let woke = false;
    const next = w.next(2 ** 31 - 1).then(() => (woke = true));
    callback!({ vendorId: 0x046d });
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(false);
    callback!({ vendorId: 0x2c97 });
    await next;
    expect(woke).toBe(true);
    // An attach between two waits is not lost.
    callback!({ vendorId: 0x2c97 });
    await w.next(2 ** 31 - 1);
    w.close();
    await new Promise((r) => setImmediate(r));
    expect(callback).toBeUndefined();
  });

  it('a watcher that cannot start falls back to the timer', async () => {
    const w = watchLedgerAttach(() => ({ addAttach: () => Promise.reject(new Error('no /sys/bus/usb')), removeAttach: () => Promise.reject(new Error('never')) }));
    await w.next(1);
    w.close();
  });

  it('loads the real usb package (prebuilt) and closes cleanly', () => {
    const w = watchLedgerAttach();
    w.close();
  });
});
