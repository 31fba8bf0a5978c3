// `taproot-hw demo` (`npm start`): starts the emulator with its web page, prints where it listens, and
// runs a short session against it through a real transport (the Speculos APDU TCP port): app and
// version, master fingerprint, an account xpub, a message signature, and a MuSig2 2-of-2 spend of
// tr(musig(@0,@1)/**) with a software cosigner — registration, round 1, round 2, aggregation, and
// the final BIP-340 signature checked against the output key. Every review is approved by pressing
// the emulator's buttons (or tapping its screen) over the REST API, as a person would on the web
// page. Then it keeps running for the browser until Ctrl-C, unless --exit is given.

import { schnorr } from '@noble/curves/secp256k1.js';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { toHex } from '../../apdu/bytes.ts';
import { walletPolicy } from '../../bitcoin/wallet-policy.ts';
import type { DeviceModel } from '../../devices/models.ts';
import { SpeculosHttpControl } from '../../devices/speculos-http.ts';
import { SpeculosTcpTransport } from '../../devices/speculos-tcp.ts';
import { createEmulator } from '../../emulator/index.ts';
import { approveReview, EMULATOR_HOLD_MS } from '../../harness/navigate.ts';
import { httpScreen } from '../../harness/remote.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { BitcoinAppMusigSigner, runMusigSession, SoftwareSigner } from '../../host/musig2/index.ts';
import { exampleMusigSpend } from '../../host/musig2/example-spend.ts';
import type { Command } from '../command.ts';
import { emulatorOptionsFromArgs } from './emulator.ts';
import { stopSignal } from '../stop-signal.ts';

const USAGE = 'demo [--exit] [emulator options: --model M --seed S --api-port N --apdu-port N --host H ...]';
const ACCOUNT = "m/86'/1'/0'";
const MESSAGE_PATH = "m/86'/1'/0'/0/0";
const MESSAGE = 'Hello from taproot-hw';
/** The software cosigner: BIP-39's all-"abandon" test mnemonic, never a real wallet. */
const COSIGNER_MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const TPUB = { private: 0x04358394, public: 0x043587cf };

/** "[fingerprint/86'/1'/0']tpub…" of a software key's account. */
function keyInfo(root: HDKey, account: HDKey): string {
  return `[${root.fingerprint.toString(16).padStart(8, '0')}/${ACCOUNT.slice(2)}]${account.publicExtendedKey}`;
}

/**
 * MuSig2 2-of-2 through the Bitcoin app's two SIGN_PSBT rounds and a software key, orchestrated by
 * runMusigSession, which verifies each partial signature and the aggregate one.
 */
async function musigDemo(client: BitcoinAppClient, approve: () => Promise<void>, say: (line: string) => void): Promise<void> {
  const cosignerRoot = HDKey.fromMasterSeed(mnemonicToSeedSync(COSIGNER_MNEMONIC), TPUB);
  const cosigner = cosignerRoot.derive(ACCOUNT);
  const deviceKey = `[${toHex(await client.getMasterFingerprint())}/${ACCOUNT.slice(2)}]${await client.getExtendedPubkey(ACCOUNT)}`;
  const keys = [deviceKey, keyInfo(cosignerRoot, cosigner)];
  const template = 'tr(musig(@0,@1)/**)';
  const policy = walletPolicy('Demo MuSig2 2of2', template, keys);
  say(`MuSig2: registering ${template} (device + software cosigner); approving the review...`);
  const [{ hmac, address }] = await Promise.all([client.registerWallet(policy), approve()]);
  say(`MuSig2: registered; first address ${address}`);

  // Spend 50,000 sat received at that address: one input, one output, 1,000 sat fee.
  const { tx, output, context, sighash } = exampleMusigSpend(template, keys);
  const device = new BitcoinAppMusigSigner(client, HDKey.fromExtendedKey(deviceKey.slice(deviceKey.indexOf(']') + 1), TPUB).publicKey!, { psbt: tx.toPSBT(), policy, hmac, inputIndex: 0 }, 'device');
  // musig(@0,@1)/** aggregates the account keys, then derives: the participants sign with those.
  const software = new SoftwareSigner(cosigner.privateKey!, 'software cosigner');
  say('MuSig2: round 1 (nonces, no review), round 2 (the device reviews the spend); approving...');
  const [result] = await Promise.all([runMusigSession(context, sighash, [device, software]), approve()]);
  const outputKey = output.scriptPubKey.slice(2);
  if (!schnorr.verify(result.signature, sighash, outputKey)) throw new Error('demo: the aggregate MuSig2 signature does not verify');
  tx.updateInput(0, { tapKeySig: result.signature });
  tx.finalize();
  say(`MuSig2: aggregate signature ${toHex(result.signature)}`);
  say(`MuSig2: verifies (BIP-340) against the output key ${toHex(outputKey)}; signed transaction ${tx.id}`);
}

/** The demo session over the emulator's Speculos APDU TCP port. */
async function session(host: string, apduPort: number, url: string, model: DeviceModel, say: (line: string) => void): Promise<void> {
  const transport = await SpeculosTcpTransport.open({ host: host === '0.0.0.0' ? '127.0.0.1' : host, port: apduPort });
  try {
    const client = new BitcoinAppClient(transport);
    const app = await client.getAppAndVersion();
    say(`App: ${app.name} ${app.version}`);
    if (app.name === 'BOLOS') {
      say('The device is on the dashboard (no Bitcoin app registered): nothing more to show.');
      return;
    }
    say(`Master fingerprint: ${toHex(await client.getMasterFingerprint())}`);
    say(`xpub ${ACCOUNT}: ${await client.getExtendedPubkey(ACCOUNT)}`);
    say(`Signing "${MESSAGE}" with ${MESSAGE_PATH}; approving the review with the emulator's ${model.input}...`);
    const approve = approver(url, model);
    const [signature] = await Promise.all([client.signMessage(MESSAGE, MESSAGE_PATH), approve()]);
    say(`Signature (BIP-137, base64): ${signature.base64}`);
    await musigDemo(client, approve, say);
  } finally {
    await transport.close();
  }
}

/** Walks the review on screen to its approval through the REST API, the way the web page does. */
function approver(url: string, model: DeviceModel): () => Promise<void> {
  const screen = httpScreen(new SpeculosHttpControl(url), { pressDelayS: 0 });
  return () => approveReview(screen, model, 20_000, EMULATOR_HOLD_MS);
}

export const demoCommand: Command = {
  name: 'demo',
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
    try {
      await session(emulator.host, apduPort!, url!, model, ctx.stdout);
      if (!exit) {
        ctx.stdout(`Open ${url} to see the screen and press the buttons. Ctrl-C stops.`);
        await stopSignal().stopped;
      }
    } finally {
      // Also on failure: a demo that failed must not leave its servers holding the process open.
      await emulator.close();
    }
    return 0;
  },
};
