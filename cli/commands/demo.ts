// `taproot-hw demo` (`npm start`): starts the emulator with its web page, prints where it listens, and
// runs a short session against it through a real transport (the Speculos APDU TCP port): app and
// version, master fingerprint, an account xpub, and a message signature whose review is approved by
// pressing the emulator's buttons (or tapping its screen) over the REST API, as a person would on
// the web page. Then it keeps running for the browser until Ctrl-C, unless --exit is given.

import { toHex } from '../../apdu/bytes.ts';
import { SpeculosHttpControl } from '../../devices/speculos-http.ts';
import { SpeculosTcpTransport } from '../../devices/speculos-tcp.ts';
import { createEmulator } from '../../emulator/index.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import type { Command } from '../command.ts';
import { emulatorOptionsFromArgs } from './emulator.ts';

const USAGE = 'demo [--exit] [emulator options: --model M --seed S --api-port N --apdu-port N --host H ...]';
const ACCOUNT = "m/86'/1'/0'";
const MESSAGE_PATH = "m/86'/1'/0'/0/0";
const MESSAGE = 'Hello from taproot-hw';
/** Texts of the pages that approve a review on a Nano (corpus README: "Sign message", "Approve …", "Confirm"). */
const NANO_APPROVE = /^(Sign message|Approve|Confirm|Accept)/;

/** Walks the review on screen to its approval through the REST API, the way the web page does. */
async function approveReview(control: SpeculosHttpControl, input: 'buttons' | 'touch', width: number, height: number): Promise<void> {
  for (let step = 0; step < 100; step++) {
    const events = await control.events({ currentScreenOnly: true });
    if (input === 'buttons') {
      if (events.some((e) => NANO_APPROVE.test(e.text))) return control.button('both');
      await control.button('right');
      continue;
    }
    const hold = events.find((e) => e.text === 'Hold to sign');
    const approve = events.find((e) => e.text === 'Approve' || e.text === 'Confirm');
    const target = hold ?? approve;
    if (target) {
      const centre = { x: target.x + Math.floor(target.w / 2), y: target.y + Math.floor(target.h / 2) };
      return control.finger({ ...centre, ...(hold ? { delay: 3 } : {}) });
    }
    // The page-forward arrow sits in the bottom-right corner of NBGL review pages.
    await control.finger({ x: width - 50, y: height - 50 });
  }
  throw new Error('demo: expected an approval page within 100 screens');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Start the emulator with its web page and run a short session against it over the Speculos TCP port',
  usage: USAGE,
  async run(ctx) {
    const exit = ctx.argv.includes('--exit');
    const rest = ctx.argv.filter((a) => a !== '--exit');
    // Free ports unless the person names them: a demo must not collide with a Speculos already running.
    const options = await emulatorOptionsFromArgs(['--api-port', '0', '--apdu-port', '0', ...rest], ctx.global);
    const emulator = await createEmulator(options);
    const model = emulator.device.model;
    const { apduPort, apiPort, buttonPort, automationPort, url } = emulator;
    ctx.stdout(JSON.stringify({ apduPort, apiPort, buttonPort, automationPort, url }));
    ctx.stdout(`Emulated ${model.productName} is listening: web page ${url}, APDU TCP port ${apduPort}.`);
    const transport = await SpeculosTcpTransport.open({ host: emulator.host === '0.0.0.0' ? '127.0.0.1' : emulator.host, port: apduPort! });
    try {
      const client = new BitcoinAppClient(transport);
      const app = await client.getAppAndVersion();
      ctx.stdout(`App: ${app.name} ${app.version}`);
      if (app.name === 'BOLOS') {
        ctx.stdout('The device is on the dashboard (no Bitcoin app registered): nothing more to show.');
      } else {
        ctx.stdout(`Master fingerprint: ${toHex(await client.getMasterFingerprint())}`);
        ctx.stdout(`xpub ${ACCOUNT}: ${await client.getExtendedPubkey(ACCOUNT)}`);
        ctx.stdout(`Signing "${MESSAGE}" with ${MESSAGE_PATH}; approving the review with the emulator's ${model.input}...`);
        const control = new SpeculosHttpControl(url!);
        const [signature] = await Promise.all([
          client.signMessage(MESSAGE, MESSAGE_PATH),
          approveReview(control, model.input, model.screen.width, model.screen.height),
        ]);
        ctx.stdout(`Signature (BIP-137, base64): ${signature.base64}`);
      }
    } finally {
      await transport.close();
    }
    if (!exit) {
      ctx.stdout(`Open ${url} to see the screen and press the buttons. Ctrl-C stops.`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    }
    await emulator.close();
    return 0;
  },
};
