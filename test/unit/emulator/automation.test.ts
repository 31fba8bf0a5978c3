import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { Automation, parseAutomation } from '../../../emulator/automation.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import { testApp } from './test-apps.ts';

// Speculos's own style of rules: press right on every review page, both buttons on "Sign transaction".
const NANO_APPROVE = {
  version: 1,
  rules: [
    { text: 'Sign transaction', actions: [['button', 1, true], ['button', 2, true], ['button', 1, false], ['button', 2, false]] },
    { regexp: '(Review|Amount|To|Fees)', actions: [['button', 2, true], ['button', 2, false]] },
  ],
};

describe('automation rules (Speculos v1)', () => {
  it('drive a Nano review to approval', async () => {
    const d = new EmulatedDevice({ apps: { 'Test App': () => testApp() }, startApp: 'Test App', automation: JSON.stringify(NANO_APPROVE), statusTimeoutMs: 0 });
    expect(toHex(await d.exchange(fromHex('e120000000')))).toBe('9000');
    expect(d.currentScreen().map((e) => e.text)).toEqual(['Transaction signed']);
  });

  it('drive a Flex review with finger actions, a long press through press/release with holdMs', async () => {
    const d = new EmulatedDevice({ model: 'flex', apps: { 'Test App': () => testApp() }, startApp: 'Test App', statusTimeoutMs: 0 });
    d.setAutomation({
      version: 1,
      rules: [
        { text: 'Swipe to review', actions: [['finger', 430, 550, true], ['finger', 430, 550, false]] },
        { text: 'Amount', actions: [['finger', 430, 550, true], ['finger', 430, 550, false]] },
      ],
    });
    const answer = d.exchange(fromHex('e120000000'));
    // The automation acts beside the app, one macrotask after each screen: let it run its course.
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(d.currentScreen().map((e) => e.text)).toContain('Hold to sign');
    d.touch(136, 430, { action: 'press' });
    d.touch(136, 430, { action: 'release', holdMs: 3000 });
    expect(toHex(await answer)).toBe('9000');
  });

  it('matches text, regexp from the start, x/y and conditions; setbool changes state', () => {
    const a = new Automation({
      version: 1,
      rules: [
        { text: 'A', conditions: [['seen', true]], actions: [['exit']] },
        { text: 'A', actions: [['setbool', 'seen', true]] },
        { regexp: 'B.', x: 1, y: 2, actions: [['button', 2, true]] },
      ],
    });
    expect(a.actionsFor({ text: 'A', x: 0, y: 0 })).toEqual([['setbool', 'seen', true]]);
    a.setBool('seen', true);
    expect(a.actionsFor({ text: 'A', x: 0, y: 0 })).toEqual([['exit']]);
    expect(a.actionsFor({ text: 'Bx', x: 1, y: 2 })).toEqual([['button', 2, true]]);
    expect(a.actionsFor({ text: 'xBx', x: 1, y: 2 })).toEqual([]);
    expect(a.actionsFor({ text: 'Bx', x: 1, y: 3 })).toEqual([]);
  });

  it('["exit"] reaches the device listeners', async () => {
    const d = new EmulatedDevice({ apps: { 'Test App': () => testApp() } });
    let exits = 0;
    d.on('exit', () => exits++);
    d.setAutomation({ version: 1, rules: [{ text: 'Test App', actions: [['exit']] }] });
    d.reset();
    await new Promise((r) => setImmediate(r));
    expect(exits).toBe(1);
  });

  it('rejects invalid documents with E_AUTOMATION naming the problem', () => {
    const bad: [unknown, RegExp][] = [
      ['{', /invalid JSON/],
      [{ version: 2, rules: [] }, /"version": 1/],
      [{ version: 1 }, /"rules" to be an array/],
      [{ version: 1, rules: [{ actions: [['button', 3, true]]}] }, /action/],
      [{ version: 1, rules: [{ text: 1, actions: [] }] }, /"text" to be a string/],
      [{ version: 1, rules: [{ regexp: '(', actions: [] }] }, /valid regular expression/],
      [{ version: 1, rules: [{ actions: [], extra: 1 }] }, /only text/],
      [{ version: 1, rules: [{ conditions: [['x']], actions: [] }] }, /condition/],
    ];
    for (const [doc, message] of bad) expect(() => parseAutomation(doc as never)).toThrow(expect.objectContaining({ code: 'E_AUTOMATION' })), expect(() => parseAutomation(doc as never)).toThrow(message);
  });
});
