import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import type { ApduExchanger } from '../../../devices/transport.ts';

/**
 * A stand-in device whose answers the test releases by hand, so in-flight states can be observed without
 * timing. (The emulator answers at once; here the test decides when the "person" approves.)
 */
class HeldDevice implements ApduExchanger {
  readonly received: string[] = [];
  readonly signals: AbortSignal[] = [];
  private held: ((response: Uint8Array) => void)[] = [];

  exchange(apdu: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    this.received.push(toHex(apdu));
    if (options?.signal) this.signals.push(options.signal);
    return new Promise((resolve) => this.held.push(resolve));
  }

  answer(hex: string): void {
    const next = this.held.shift();
    if (!next) throw new Error('no command waiting');
    next(fromHex(hex));
  }
}

/** Answers every command at once with a fixed response. */
const fixed = (hex: string): ApduExchanger => ({ exchange: async () => fromHex(hex) });

const named = (name: string) => expect.objectContaining({ name });

describe('LoopbackTransport and the shared guard', () => {
  it('exchanges bytes and copies them both ways', async () => {
    const answer = fromHex('f5acc2fd9000');
    let seen: Uint8Array | undefined;
    const t = new LoopbackTransport({
      exchange: async (apdu) => {
        seen = apdu;
        return answer;
      },
    });
    const apdu = fromHex('e105000000');
    const response = await t.exchange(apdu);
    expect(toHex(response)).toBe('f5acc2fd9000');
    apdu.fill(0);
    response.fill(0);
    expect(toHex(seen!)).toBe('e105000000');
    expect(toHex(answer)).toBe('f5acc2fd9000');
    expect(t.kind).toBe('loopback');
  });

  it('refuses a second exchange at once with TransportBusyError, then frees up', async () => {
    const device = new HeldDevice();
    const t = new LoopbackTransport(device);
    const first = t.exchange(fromHex('b0010000'));
    expect(t.busy).toBe(true);
    await expect(t.exchange(fromHex('e105000000'))).rejects.toThrow(named('TransportBusyError'));
    expect(device.received).toEqual(['b0010000']);
    device.answer('6e00');
    expect(toHex(await first)).toBe('6e00');
    expect(t.busy).toBe(false);
    const second = t.exchange(fromHex('e105000000'));
    device.answer('f5acc2fd9000');
    expect(toHex(await second)).toBe('f5acc2fd9000');
  });

  it('aborts on the signal, stays busy until the device answers, and drops that late answer', async () => {
    const device = new HeldDevice();
    const t = new LoopbackTransport(device);
    const ctl = new AbortController();
    const pending = t.exchange(fromHex('e104000000'), { signal: ctl.signal });
    ctl.abort();
    await expect(pending).rejects.toThrow(named('AbortError'));
    expect(device.signals[0]!.aborted).toBe(true);
    expect(t.busy).toBe(true);
    await expect(t.exchange(fromHex('b0010000'))).rejects.toThrow(named('TransportBusyError'));
    device.answer('6985');
    await Promise.resolve();
    await Promise.resolve();
    expect(t.busy).toBe(false);
    const next = t.exchange(fromHex('b0010000'));
    device.answer('9000');
    expect(toHex(await next)).toBe('9000');
  });

  it('refuses an already aborted signal without reaching the device', async () => {
    const device = new HeldDevice();
    const t = new LoopbackTransport(device);
    await expect(t.exchange(fromHex('b0010000'), { signal: AbortSignal.abort() })).rejects.toThrow(named('AbortError'));
    expect(device.received).toEqual([]);
    expect(t.busy).toBe(false);
  });

  it('times out with E_TIMEOUT naming the time', async () => {
    const device = new HeldDevice();
    const t = new LoopbackTransport(device);
    const err = await t.exchange(fromHex('e104000000'), { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_TIMEOUT', message: expect.stringContaining('within 20 ms') });
    expect(device.signals[0]!.aborted).toBe(true);
    device.answer('9000');
  });

  it('timeoutMs 0 means wait; a bad timeoutMs or non-bytes is a caller error', async () => {
    const t = new LoopbackTransport(fixed('9000'));
    expect(toHex(await t.exchange(fromHex('b0010000'), { timeoutMs: 0 }))).toBe('9000');
    await expect(t.exchange(fromHex('b0010000'), { timeoutMs: -1 })).rejects.toThrow(RangeError);
    await expect(t.exchange('b0010000' as unknown as Uint8Array)).rejects.toThrow(TypeError);
  });

  it('close fails the exchange in flight, refuses later ones, and tells listeners once', async () => {
    const device = new HeldDevice();
    const t = new LoopbackTransport(device);
    const heard: (Error | undefined)[] = [];
    t.onDisconnect((reason) => heard.push(reason));
    const unsubscribed: unknown[] = [];
    const off = t.onDisconnect((r) => unsubscribed.push(r));
    off();
    const pending = t.exchange(fromHex('e104000000'));
    await t.close();
    await expect(pending).rejects.toThrow(named('TransportClosedError'));
    await expect(t.exchange(fromHex('b0010000'))).rejects.toThrow(named('TransportClosedError'));
    await t.close();
    expect(heard).toEqual([undefined]);
    expect(unsubscribed).toEqual([]);
  });

  it('a lost device fails the exchange with the reason and tells listeners', async () => {
    const device = new HeldDevice();
    const t = new LoopbackTransport(device);
    const heard: (Error | undefined)[] = [];
    t.onDisconnect((reason) => heard.push(reason));
    const pending = t.exchange(fromHex('e104000000'));
    const reason = new Error('cable pulled');
    t.unplug(reason);
    await expect(pending).rejects.toBe(reason);
    expect(heard).toEqual([reason]);
    await expect(t.exchange(fromHex('b0010000'))).rejects.toThrow(/closed \(cable pulled\)/);
  });

  it('a device answer without a status word is a TransportResponseError; device errors pass through', async () => {
    await expect(new LoopbackTransport(fixed('90')).exchange(fromHex('b0010000'))).rejects.toThrow(named('TransportResponseError'));
    const broken = new LoopbackTransport({ exchange: async () => Promise.reject(new RangeError('boom')) });
    await expect(broken.exchange(fromHex('b0010000'))).rejects.toThrow('boom');
    expect(broken.busy).toBe(false);
  });
});
