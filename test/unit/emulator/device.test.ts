import { describe, expect, it } from 'vitest';
import { decodeResponse } from '../../../apdu/apdu.ts';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { assertStatus } from '../../../apdu/status.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import { testApp } from './test-apps.ts';

const hex = async (device: EmulatedDevice, apdu: string): Promise<string> => toHex(await device.exchange(fromHex(apdu)));

function device(options: ConstructorParameters<typeof EmulatedDevice>[0] = {}): EmulatedDevice {
  return new EmulatedDevice({ apps: { 'Test App': () => testApp() }, statusTimeoutMs: 0, ...options });
}

describe('EmulatedDevice states', () => {
  it('dashboard answers B0 01 with BOLOS and opens apps with E0 D8', async () => {
    const d = device({ model: 'nanosp' });
    expect(d.state).toBe('dashboard');
    // format 01, "BOLOS", version "1.1.2", flags length 1 = 00
    expect(await hex(d, 'b001000000')).toBe('0105424f4c4f5305312e312e320100' + '9000');
    expect(await hex(d, 'e005000000')).toBe('6d00');
    expect(await hex(d, 'e1050000')).toBe('6e00');
    expect(await hex(d, 'e0d80000034e6f70')).toBe('6807');
    expect(await hex(d, 'e0d8000000')).toBe('670a');
    expect(await hex(d, 'e0d8000008' + toHex(new TextEncoder().encode('Test App')))).toBe('9000');
    expect(d.state).toBe('app');
    expect(await hex(d, 'b001000000')).toBe('0108' + toHex(new TextEncoder().encode('Test App')) + '05312e302e300100' + '9000');
    expect(await hex(d, 'e105000000')).toBe('f5acc2fd9000');
    expect(await hex(d, 'b0a7000000')).toBe('9000');
    expect(d.state).toBe('dashboard');
  });

  it('dashboard answers 6700 to an APDU shorter than its header or with a wrong Lc, and stays usable', async () => {
    const d = device({ model: 'nanosp' });
    expect(await hex(d, '')).toBe('6700');
    expect(await hex(d, 'e0d8')).toBe('6700');
    expect(await hex(d, 'e0d800')).toBe('6700');
    expect(await hex(d, 'e0d8000009' + toHex(new TextEncoder().encode('Test App')))).toBe('6700');
    expect(await hex(d, 'e0d8000007' + toHex(new TextEncoder().encode('Test App')))).toBe('6700');
    expect(d.state).toBe('dashboard');
    expect(await hex(d, 'e0d8000008' + toHex(new TextEncoder().encode('Test App')))).toBe('9000');
  });

  it("a host names the dashboard's 6700 WRONG_LENGTH and raises WrongDataLengthError for it, not an unknown status word", async () => {
    const { statusWord } = decodeResponse(await device({ model: 'nanosp' }).exchange(fromHex('e0d8')));
    expect(() => assertStatus(statusWord, 'open app')).toThrow(
      expect.objectContaining({ name: 'WrongDataLengthError', statusCode: 0x6700, statusName: 'WRONG_LENGTH', message: 'open app: device answered 6700 WRONG_LENGTH: wrong length' }),
    );
  });

  it('answers B0 01 for an open app exactly as the corpus (Bitcoin Test 2.4.6)', async () => {
    const app = { ...testApp('Bitcoin Test'), version: '2.4.6' };
    const d = new EmulatedDevice({ apps: [() => app], startApp: 'Bitcoin Test' });
    expect(await hex(d, 'b001000000')).toBe('010c426974636f696e205465737405322e342e3601009000');
  });

  it('locked: every APDU is 5515 until unlock()', async () => {
    const d = device({ locked: true, startApp: 'Test App' });
    expect(d.state).toBe('locked');
    expect(await hex(d, 'b001000000')).toBe('5515');
    expect(await hex(d, 'e105000000')).toBe('5515');
    d.unlock();
    expect(await hex(d, 'e105000000')).toBe('f5acc2fd9000');
    d.lock();
    expect(await hex(d, 'e0d8000000')).toBe('5515');
  });

  it('malformed APDUs in an app are 6a87 and an app failure is 6f00; nothing throws', async () => {
    const d = device({ startApp: 'Test App' });
    expect(await hex(d, 'e1050000')).toBe('6a87');
    expect(await hex(d, 'e10500000200')).toBe('6a87');
    expect(await hex(d, '')).toBe('6a87');
    expect(await hex(d, 'e150000000')).toBe('6f00');
    expect(await hex(d, 'e105000000')).toBe('f5acc2fd9000');
  });

  it('respond() suspends the command until the next APDU (client commands)', async () => {
    const d = device({ startApp: 'Test App' });
    expect(await hex(d, 'e110000002abcd')).toBe('40abcde000');
    expect(await hex(d, 'f801000003010203')).toBe('0102039000');
    // A quit aborts a suspended command; F8 01 then reaches the app as a fresh command.
    expect(await hex(d, 'e110000001ff')).toBe('40ffe000');
    d.quitApp();
    d.openApp('Test App');
    expect(await hex(d, 'f801000100')).toBe('6e00');
  });

  it('hex seeds, mnemonics and bad seeds', async () => {
    const d = device({ startApp: 'Test App', seed: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about' });
    expect(await hex(d, 'e105000000')).toBe('73c5da0a9000');
    expect(() => device({ seed: 'abandon abandon' })).toThrow(expect.objectContaining({ code: 'E_SEED' }));
    expect(() => device({ seed: 'hex:zz' })).toThrow(expect.objectContaining({ code: 'E_SEED' }));
    expect(() => device({ startApp: 'Nope' })).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_APP' }));
  });

  it('deterministic RNG restarts on reset; nvram survives quit and reset', async () => {
    const d = device({ startApp: 'Test App', deterministicRng: 42 });
    // Speculos's launcher draws 256 bytes at power-on (emulator/speculos-rng.ts), so the app's first
    // bytes are those at offset 256 of the glibc srand(42) stream
    expect(await hex(d, 'e130000001' + '08')).toBe('2fadeb4ca9d9bd849000');
    expect(await hex(d, 'e130000001' + '02')).toBe('6eda9000');
    expect(await hex(d, 'e140000000')).toBe('019000');
    d.quitApp();
    d.openApp('Test App');
    expect(await hex(d, 'e140000000')).toBe('029000');
    d.reset();
    expect(await hex(d, 'e130000001' + '08')).toBe('2fadeb4ca9d9bd849000');
    expect(await hex(d, 'e140000000')).toBe('039000');
  });
});

describe('EmulatedDevice reviews', () => {
  it('Nano: right through the pages, both on the finish page approves', async () => {
    const d = device({ startApp: 'Test App' });
    const screens: string[][] = [];
    d.on('screen', (s) => screens.push(s.events.map((e) => e.text)));
    const answer = d.exchange(fromHex('e120000000'));
    await Promise.resolve();
    expect(d.currentScreen().map((e) => e.text)).toEqual(['Review transaction', 'to send bitcoin']);
    for (let i = 0; i < 5; i++) d.pressButton('right');
    expect(d.currentScreen().map((e) => e.text)).toEqual(['Sign transaction']);
    d.pressButton('both');
    expect(toHex(await answer)).toBe('9000');
    expect(screens.at(-1)).toEqual(['Transaction signed']);
  });

  it('Nano: the reject page refuses; buttonEvent L R l r is both', async () => {
    const d = device({ startApp: 'Test App' });
    const answer = d.exchange(fromHex('e120000000'));
    await Promise.resolve();
    for (let i = 0; i < 7; i++) d.pressButton('right');
    expect(d.currentScreen().map((e) => e.text)).toEqual(['Reject transaction']);
    d.buttonEvent('left', true);
    d.buttonEvent('right', true);
    d.buttonEvent('left', false);
    d.buttonEvent('right', false);
    expect(toHex(await answer)).toBe('6985');
  });

  it('Flex: a tap on Hold to sign does nothing, a 3 s hold signs', async () => {
    const d = device({ model: 'flex', startApp: 'Test App' });
    const answer = d.exchange(fromHex('e120000000'));
    await Promise.resolve();
    d.touch(430, 550);
    d.touch(430, 550);
    expect(d.currentScreen().map((e) => e.text)).toContain('Hold to sign');
    d.touch(136, 430);
    expect(d.currentScreen().map((e) => e.text)).toContain('Hold to sign');
    d.touch(136, 430, { holdMs: 3000 });
    expect(toHex(await answer)).toBe('9000');
  });

  it('Flex: Reject then Yes, reject refuses; Go back returns to the page', async () => {
    const d = device({ model: 'flex', startApp: 'Test App' });
    const answer = d.exchange(fromHex('e120000000'));
    await Promise.resolve();
    d.touch(430, 550);
    const page = d.currentScreen();
    d.touch(96, 554);
    expect(d.currentScreen().map((e) => e.text)).toContain('Yes, reject');
    d.touch(240, 560);
    expect(d.currentScreen()).toEqual(page);
    d.touch(96, 554);
    d.touch(239, 462);
    expect(toHex(await answer)).toBe('6985');
  });

  it('one queue: an aborted caller is released at once, its queued APDU never runs, the review holds the next one back', async () => {
    const d = device({ startApp: 'Test App' });
    const review = d.exchange(fromHex('e120000000'));
    await Promise.resolve();
    const abort = new AbortController();
    const quit = d.exchange(fromHex('b0a7000000'), { signal: abort.signal });
    let versionAnswered = false;
    const version = d.exchange(fromHex('b001000000')).then((r) => ((versionAnswered = true), r));
    abort.abort(new Error('caller gave up'));
    await expect(quit).rejects.toThrow('caller gave up');
    await new Promise((r) => setImmediate(r));
    expect(versionAnswered).toBe(false);
    for (let i = 0; i < 5; i++) d.pressButton('right');
    d.pressButton('both');
    expect(toHex(await review)).toBe('9000');
    // B0 A7 was dropped: the app is still open and answers B0 01 with its own name
    expect(toHex(await version).slice(4, 4 + 2 * 'Test App'.length)).toBe(toHex(new TextEncoder().encode('Test App')));
    expect(d.appName).toBe('Test App');
  });

  it('lock during a review answers 5515 and the app sees the abort', async () => {
    const d = device({ startApp: 'Test App' });
    const answer = d.exchange(fromHex('e120000000'));
    await Promise.resolve();
    d.lock();
    expect(toHex(await answer)).toBe('5515');
    d.unlock();
    expect(await hex(d, 'e105000000')).toBe('f5acc2fd9000');
  });

  it('autoApprove walks reviews to approval on both families', async () => {
    for (const model of ['nanosp', 'flex'] as const) {
      const d = device({ model, startApp: 'Test App', autoApprove: true });
      expect(await hex(d, 'e120000000')).toBe('9000');
      expect(d.events().map((e) => e.text)).toContain('Transaction signed');
    }
  });
});

describe('EmulatedDevice screens and events', () => {
  it('keeps the event history until cleared, emits text and screen events', () => {
    const d = device({ startApp: 'Test App' });
    const texts: string[] = [];
    d.on('text', (e) => texts.push(e.text));
    d.clearEvents();
    expect(d.events()).toEqual([]);
    d.pressButton('right');
    expect(texts).toEqual(['App info']);
    expect(d.events().map((e) => e.text)).toEqual(['App info']);
    d.pressButton('right');
    d.pressButton('both');
    expect(d.state).toBe('dashboard');
    expect(d.currentScreen().map((e) => e.text)).toEqual(['Test App']);
    d.pressButton('both');
    expect(d.state).toBe('app');
  });

  it('warnings continue or refuse; busy returns to idle when the command ends', async () => {
    const warner = {
      ...testApp(),
      async handle(_c: unknown, _io: unknown, ctx: import('../../../emulator/app.ts').AppContext) {
        const go = await ctx.warn({ title: 'Unusual path', text: 'Reject if not sure' });
        ctx.busy();
        return Uint8Array.of(go ? 0x90 : 0x69, go ? 0x00 : 0x85);
      },
    };
    for (const [model, approve, expected] of [
      ['nanosp', true, '9000'],
      ['nanosp', false, '6985'],
      ['flex', true, '9000'],
      ['flex', false, '6985'],
    ] as const) {
      const d = new EmulatedDevice({ model, apps: { W: () => warner }, startApp: 'W' });
      const answer = d.exchange(fromHex('e100000000'));
      await Promise.resolve();
      expect(d.currentScreen().map((e) => e.text).join(' ')).toContain('Unusual path');
      if (model === 'nanosp') {
        d.pressButton('right');
        if (!approve) d.pressButton('right');
        d.pressButton('both');
      } else d.touch(approve ? 240 : 100, approve ? 438 : 560);
      expect(toHex(await answer)).toBe(expected);
      expect(d.currentScreen().map((e) => e.text)).not.toContain('Processing');
    }
  });

  it('status screens end at the next input or after their timeout', async () => {
    const d = device({ startApp: 'Test App', autoApprove: true, statusTimeoutMs: 5 });
    expect(await hex(d, 'e120000000')).toBe('9000');
    expect(d.currentScreen().map((e) => e.text)).toEqual(['Transaction signed']);
    await new Promise((r) => setTimeout(r, 30));
    expect(d.currentScreen().map((e) => e.text)).toEqual(['Test App', 'app is ready']);
  });

  it('Stax and Apex P lay out reviews and approve with auto-approve; touch ignores buttons and vice versa', async () => {
    for (const model of ['stax', 'apex'] as const) {
      const d = device({ model, startApp: 'Test App', autoApprove: true });
      expect(await hex(d, 'e120000000')).toBe('9000');
      for (const e of d.events()) {
        expect(e.x + e.w, `${model} ${e.text}`).toBeLessThanOrEqual(d.model.screen.width);
        expect(e.y + e.h, `${model} ${e.text}`).toBeLessThanOrEqual(d.model.screen.height);
      }
    }
    const flex = device({ model: 'flex', startApp: 'Test App' });
    const before = flex.currentScreen();
    flex.pressButton('both');
    expect(flex.currentScreen()).toEqual(before);
    const nano = device({ startApp: 'Test App' });
    nano.touch(64, 32);
    expect(nano.state).toBe('app');
  });
});
