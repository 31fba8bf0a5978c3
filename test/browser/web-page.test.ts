// The emulator's web page in a real browser (playwright-core driving Debian's chromium): a person's
// view of a review. On a Nano S Plus the page's buttons step through the Bitcoin app's xpub review
// recorded in the Speculos corpus; on a Flex taps on the screen image walk a review to "Approve".
// Skipped, with the reason printed, where /usr/bin/chromium is absent.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../apdu/bytes.ts';
import { APPS } from '../../emulator/apps/index.ts';
import { createEmulator, type Emulator } from '../../emulator/index.ts';
import { startServers, type RunningServers } from '../../emulator/server/index.ts';
import { loadCorpusFlow } from '../compat/corpus-flow.ts';
import { REVIEW_APDU, reviewDevice } from '../unit/emulator-server/review-app.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`browser tests skipped: ${CHROMIUM} is absent (Debian: apt-get install chromium)`);
const hasBitcoinTest = 'bitcoin-test' in APPS;
if (hasChromium && !hasBitcoinTest) console.log('browser: the Bitcoin Test app is not registered; the Nano review test is skipped');

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!hasChromium) return;
  // A fresh profile per run: nothing cached from an earlier run can make the page look alive.
  profile = mkdtempSync(join(tmpdir(), 'taproot-hw-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
});
afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function screenTexts(page: Page): Promise<string[]> {
  return page.locator('#screen-text li').allTextContents();
}

/** Waits until the page lists all of `texts` for the current screen. */
async function seeScreen(page: Page, texts: string[]): Promise<void> {
  await expect.poll(() => screenTexts(page), { timeout: 30_000 }).toEqual(expect.arrayContaining(texts));
}

/** Posts an APDU the way a host would, from outside the page; resolves with the hex answer. */
function postApdu(apiPort: number, hex: string): Promise<string> {
  return fetch(`http://127.0.0.1:${apiPort}/apdu`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data: hex }) })
    .then((r) => r.json())
    .then((b) => (b as { data: string }).data);
}

describe.skipIf(!hasChromium)('web page in chromium', () => {
  describe.skipIf(!hasBitcoinTest)('Nano S Plus: buttons', () => {
    let emu: Emulator;
    beforeAll(async () => {
      emu = await createEmulator({ model: 'nanosp', apiPort: 0, apduPort: null });
    });
    afterAll(() => emu?.close());

    it('steps through the xpub review with the page buttons and sees each screen', async () => {
      const flow = loadCorpusFlow('nanosp', 'xpub-display-approve-86h-1h-101h');
      const page = await context.newPage();
      await page.goto(emu.url!);
      expect(await page.title()).toBe('taproot-hw emulator: Ledger Nano S Plus');
      expect(await page.locator('.buttons button').allTextContents()).toEqual(['← left', 'both', 'right →']);
      await seeScreen(page, emu.device.currentScreen().map((e) => e.text));
      const [cmd, res] = flow.exchanges[0]!;
      // Wait for the image to be loaded, so the first review screen is compared with the home screen.
      await expect.poll(() => page.locator('#screen').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBe(128);
      let before = await page.locator('#screen').screenshot();
      const answer = postApdu(emu.apiPort!, cmd);
      answer.catch(() => undefined);
      for (const screen of flow.screens) {
        await seeScreen(page, screen.events.map((e) => e.text));
        // The image follows the text: what the browser shows differs from the previous screen.
        await expect.poll(async () => !(await page.locator('#screen').screenshot()).equals(before), { timeout: 30_000 }).toBe(true);
        before = await page.locator('#screen').screenshot();
        if (screen.action.button) await page.locator(`#button-${screen.action.button}`).click();
      }
      expect(await answer).toBe(res);
      await page.close();
    });
  });

  describe('Flex: touch', () => {
    let servers: RunningServers;
    beforeAll(async () => {
      servers = await startServers(reviewDevice('flex'), { apiPort: 0, apduPort: null });
    });
    afterAll(() => servers?.close());

    it('walks a review by tapping the screen image at device coordinates and approves it', async () => {
      const page = await context.newPage();
      await page.goto(servers.url!);
      expect(await page.locator('#button-both').count()).toBe(0);
      await seeScreen(page, ['Review Test']);
      const answer = postApdu(servers.apiPort!, toHex(REVIEW_APDU));
      answer.catch(() => undefined);
      await seeScreen(page, ['Review', 'test payment', '1 of 3']);
      const tap = (x: number, y: number) => page.locator('#screen').click({ position: { x, y } });
      await tap(430, 550);
      await seeScreen(page, ['Amount', '0.5 BTC', '2 of 3']);
      await tap(430, 550);
      await seeScreen(page, ['Approve payment', 'Approve', '3 of 3']);
      await tap(240, 438);
      expect(await answer).toBe('9000');
      await seeScreen(page, ['Payment approved']);
      await page.close();
    });
  });
});
