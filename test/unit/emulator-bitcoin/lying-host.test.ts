// Hosts that break the client-command protocol against the emulated Bitcoin app. A GET_PREIMAGE
// answered with other bytes than the hash names: the device must hash what it gets
// (get_preimage.c) and refuse before anything reaches a screen; the lie chosen is the worst one,
// another descriptor template over the same keys, of the same length, that would review and register
// just as well. A CONTINUE whose Lc disagrees with its length: the device's APDU parser ends the
// suspended command with 6A87 instead of handing the app a misread answer.

import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeCommand } from '../../../apdu/apdu.ts';
import { equal, fromHex, toHex, utf8 } from '../../../apdu/bytes.ts';
import { commandApdu, registerWallet, signMessage } from '../../../apdu/bitcoin-app/index.ts';
import { continueCommand, decodeClientCommandRequest, encodeClientCommandResponse, SW_INTERRUPTED_EXECUTION } from '../../../apdu/interrupt.ts';
import { MerkleTree } from '../../../apdu/merkle.ts';
import { parsePath } from '../../../apdu/path.ts';
import { serializeWalletPolicy, walletPolicy } from '../../../bitcoin/wallet-policy.ts';
import { ClientCommandInterpreter } from '../../../host/client-commands.ts';
import { loadFlow } from '../apdu-bitcoin-app/corpus.ts';
import { bitcoinDevice } from './harness.ts';

const recorded = loadFlow('nanosp', 'policy-tr-key-plus-pk-leaf').inputs;
const policy = walletPolicy(recorded.name ?? recorded.wallet_name, recorded.descriptor_template, recorded.keys_info);

/** REGISTER_WALLET of `policy`, served honestly except that the template's preimage is `served`; `approve`: the person's answers. */
async function register(served: Uint8Array, ...approve: boolean[]) {
  const { device, person } = bitcoinDevice();
  person.answer(...approve);
  const it = new ClientCommandInterpreter();
  it.addKnownPreimage(serializeWalletPolicy(policy));
  it.addKnownList(policy.keys.map((k) => utf8.encode(k)));
  it.addKnownPreimage(utf8.encode(policy.descriptorTemplate));
  const templateHash = sha256(utf8.encode(policy.descriptorTemplate));
  let asked = 0;
  let res = decodeResponse(await device.exchange(encodeCommand(commandApdu(registerWallet, { policy: serializeWalletPolicy(policy) }))));
  while (res.statusWord === SW_INTERRUPTED_EXECUTION) {
    const req = decodeClientCommandRequest(res.data);
    const lie = req.command === 'GET_PREIMAGE' && equal(req.hash, templateHash);
    if (lie) asked++;
    const answer = lie ? encodeClientCommandResponse({ command: 'GET_PREIMAGE', length: served.length, data: served }) : it.execute(res.data);
    res = decodeResponse(await device.exchange(encodeCommand(continueCommand(answer))));
  }
  return { statusWord: res.statusWord, asked, person };
}

describe('REGISTER_WALLET with a host that lies about a preimage', () => {
  it('the honest template registers after the person approved its review', async () => {
    const { statusWord, asked, person } = await register(utf8.encode(policy.descriptorTemplate), true);
    expect(asked).toBeGreaterThan(0);
    expect(statusWord).toBe(0x9000);
    expect(person.prompts.map((p) => [p.kind, p.approved, p.unexpected])).toEqual([['review', true, false]]);
  });

  it('another template of the same length over the same keys: 6A80 before any review', async () => {
    const swapped = policy.descriptorTemplate.replace('@0', '@X').replace('@1', '@0').replace('@X', '@1');
    expect(swapped).not.toBe(policy.descriptorTemplate);
    expect(swapped).toHaveLength(policy.descriptorTemplate.length);
    const { statusWord, asked, person } = await register(utf8.encode(swapped));
    expect(asked).toBeGreaterThan(0);
    expect(statusWord).toBe(0x6a80);
    expect(person.prompts).toEqual([]);
  });
});

describe('a CONTINUE whose Lc disagrees with its length', () => {
  it('ends the suspended SIGN_MESSAGE with 6A87, nothing shown or signed; the app answers the next command', async () => {
    const { device, person } = bitcoinDevice();
    const message = utf8.encode('hello');
    const command = commandApdu(signMessage, { path: parsePath("m/84'/1'/0'/0/0"), messageLength: message.length, messageRoot: MerkleTree.fromElements([message]).root });
    expect(decodeResponse(await device.exchange(encodeCommand(command))).statusWord).toBe(SW_INTERRUPTED_EXECUTION);
    // Lc says 10 bytes, 2 follow.
    expect(toHex(await device.exchange(fromHex('f80100000a' + '0000')))).toBe('6a87');
    expect(person.prompts).toEqual([]);
    expect(toHex(await device.exchange(fromHex('e105000100')))).toBe('f5acc2fd9000');
  });
});
