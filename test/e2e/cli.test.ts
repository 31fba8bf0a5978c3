// The Taproot Assets CLI commands run as cli/main runs them (Command.run with a context), against
// the in-process emulator ('emulator') and against `createEmulator` over the Speculos TCP port
// (a device that outlives one command, with blind signing switched on in its settings).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import { nonceAggregate, nonceGen, Session, sortKeys } from '@scure/btc-signer/musig2.js';
import { HDKey } from '@scure/bip32';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../apdu/bytes.ts';
import { decodeVPacket, encodeVPacket } from '../../assets/vpsbt/codec.ts';
import { verifyStateTransition } from '../../assets/vtx/verify.ts';
import type { Command, CommandContext } from '../../cli/command.ts';
import { musig2 } from '../../cli/commands/musig2.ts';
import { showVpsbt } from '../../cli/commands/show-vpsbt.ts';
import { signVpsbtCommand } from '../../cli/commands/sign-vpsbt.ts';
import { tapKey } from '../../cli/commands/tap-key.ts';
import { createEmulator, type Emulator } from '../../emulator/index.ts';
import { signedOutput, vpsbtSplits } from '../../host/tap-app/index.ts';
import { transferPacket } from '../unit/tap-app/vpsbt-fixture.ts';
import { SEEDS, softwareKey } from './helpers.ts';

async function run(cmd: Command, argv: string[], transport = 'emulator'): Promise<any> {
  const out: string[] = [];
  const ctx: CommandContext = { argv, global: { transport, json: true }, stdout: (l) => out.push(l), stderr: () => {} };
  await cmd.run(ctx);
  expect(out).toHaveLength(1);
  return JSON.parse(out[0]!);
}

const TESTNET = { private: 0x04358394, public: 0x043587cf };
const PATH = "m/1017'/1'/212'/0/2";

describe('CLI over the in-process emulator', () => {
  it('tap-key prints the key, the xpub and the master fingerprint', async () => {
    const r = await run(tapKey, [PATH]);
    const expected = softwareKey(SEEDS.speculos, PATH);
    expect(r).toEqual({ path: PATH, fingerprint: 'f5acc2fd', pubkey: toHex(expected.publicKey!), xpub: new HDKey({ versions: TESTNET, depth: expected.depth, index: expected.index, parentFingerprint: expected.parentFingerprint, chainCode: expected.chainCode!, publicKey: expected.publicKey! }).publicExtendedKey });
  });

  it('show-vpsbt renders the display model; sign-vpsbt signs it and the signed packet verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taproot-hw-e2e-'));
    const file = join(dir, 'transfer.vpsbt');
    writeFileSync(file, encodeVPacket(transferPacket({ inputs: [1000n], recipients: 2 })));
    const model = await run(showVpsbt, [file]);
    expect(model.title).toBe('Review asset transfer');
    expect(model.items.map((i: { label: string }) => i.label)).toContain('Output 3 recipient');
    const r = await run(signVpsbtCommand, [file]);
    expect(r.results).toHaveLength(1);
    const signed = decodeVPacket(base64.decode(r.vpsbt));
    verifyStateTransition(signedOutput(signed).asset!, vpsbtSplits(signed), signed.inputs.map((v) => ({ prevId: v.prevId, asset: v.asset! })));
  });
});

describe('musig2 commands over the Speculos TCP port', () => {
  let emu: Emulator;
  let transport: string;
  beforeAll(async () => {
    emu = await createEmulator({ app: 'tap', apduPort: 0, apiPort: null, autoApprove: true });
    emu.device.settings.blindSigning = true;
    transport = `speculos-tcp://127.0.0.1:${emu.apduPort}`;
  });
  afterAll(() => emu.close());

  const msg = schnorr.utils.taggedHash('cli', new Uint8Array(3));
  const cosigner = softwareKey(SEEDS.abandon, PATH);

  it('musig2 session: device and software signers; the signature verifies', async () => {
    const r = await run(musig2, ['session', '--signer', `device:${PATH}`, '--signer', `software:${toHex(cosigner.privateKey!)}`, '--msg', toHex(msg)], transport);
    expect(schnorr.verify(fromHex(r.signature), msg, fromHex(r.aggregate))).toBe(true);
  });

  it('musig2 nonce then musig2 sign, with a software cosigner in between', async () => {
    const device = (await run(tapKey, [PATH], transport)).pubkey as string;
    const keys = sortKeys([fromHex(device), cosigner.publicKey!]);
    const keyArgs = keys.flatMap((k) => ['--key', toHex(k)]);
    const n = await run(musig2, ['nonce', ...keyArgs, '--path', PATH, '--msg', toHex(msg)], transport);
    const soft = nonceGen(cosigner.publicKey!, cosigner.privateKey!, fromHex(n.aggregate), msg);
    const pubnonces = keys.map((k) => (toHex(k) === device ? fromHex(n.pubnonce) : soft.public));
    const aggnonce = nonceAggregate(pubnonces);
    const s = await run(musig2, ['sign', '--handle', n.handle, '--aggnonce', toHex(aggnonce), '--msg', toHex(msg), ...keyArgs, '--path', PATH], transport);
    const session = new Session(aggnonce, keys, msg);
    const sig = session.partialSigAgg(keys.map((k) => (toHex(k) === device ? fromHex(s.partialSignature) : session.sign(soft.secret, cosigner.privateKey!))));
    expect(schnorr.verify(sig, msg, fromHex(n.aggregate))).toBe(true);
    // the handle signed once
    await expect(run(musig2, ['sign', '--handle', n.handle, '--aggnonce', toHex(aggnonce), '--msg', toHex(msg), ...keyArgs, '--path', PATH], transport)).rejects.toMatchObject({ code: 'E_NONCE_SESSION_UNKNOWN' });
  });
});
