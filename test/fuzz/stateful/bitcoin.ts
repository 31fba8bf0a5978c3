// The Ledger Bitcoin app as a fuzz target: valid requests from the recorded Speculos corpus (the
// PSBTs, wallet policies and HMACs a real device signed with the default seed), merkleized with the
// shared apdu/merkle.ts classes and served through the host's ClientCommandInterpreter exactly as
// BitcoinAppClient does (policy preimages, keys list, PSBT maps, input and output commitment lists).

import { readFileSync } from 'node:fs';
import { base64 } from '@scure/base';
import { concat, fromHex, utf8 } from '../../../apdu/bytes.ts';
import { MerkleTree, MerkleizedMap } from '../../../apdu/merkle.ts';
import { parsePath } from '../../../apdu/path.ts';
import {
  commandApdu,
  decodeSignPsbtYield,
  getExtendedPubkey,
  getWalletAddress,
  INS,
  registerWallet,
  signMessage,
  signPsbt,
  MESSAGE_CHUNK_SIZE,
} from '../../../apdu/bitcoin-app/index.ts';
import { toPsbtV2, type RawPsbt } from '../../../bitcoin/psbtv2.ts';
import { PSBT_IN } from '../../../bitcoin/psbt-fields.ts';
import { serializeWalletPolicy, walletPolicy, walletPolicyId, type WalletPolicy } from '../../../bitcoin/wallet-policy.ts';
import { createBitcoinTestnetApp } from '../../../emulator/apps/bitcoin/app.ts';
import type { ClientCommandInterpreter } from '../../../host/client-commands.ts';
import type { Rng } from '../prng.ts';
import { signatureYields, type FuzzSession, type FuzzTarget, type Scenario, type Served } from './engine.ts';
import { maybeMutateCommand, maybeMutatePath, mutateBytes, mutateMaps, mutateText, type Entry, type Maps } from './mutate.ts';

const CORPUS = new URL('../../vectors/speculos-corpus/nanosp/', import.meta.url);
const corpus = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, CORPUS), 'utf8'));

const ZERO_HMAC = new Uint8Array(32);

interface PolicyJson {
  name?: string;
  wallet_name?: string;
  descriptor_template: string;
  keys_info: string[];
}

const policyOf = (p: PolicyJson): WalletPolicy => walletPolicy(p.name ?? p.wallet_name ?? '', p.descriptor_template, p.keys_info);

const keypath = corpus('sign-psbt-taproot-keypath').inputs;
const wpkh = corpus('sign-psbt-wpkh').inputs;
const musig = corpus('sign-psbt-musig2-2of2').inputs;
const MUSIG_POLICY = policyOf(musig.wallet_policy);
const MUSIG_HMAC = fromHex(musig.hmac);
const REGISTRATIONS = ['policy-tr-key-plus-pk-leaf', 'policy-tr-musig-2of2', 'policy-wsh-sortedmulti-2of2'].map((n) => policyOf(corpus(n).inputs));

/** What BitcoinAppClient registers for a policy: the serialized policy, the keys list, the template. */
function servePolicy(it: ClientCommandInterpreter, policy: WalletPolicy): void {
  it.addKnownPreimage(serializeWalletPolicy(policy));
  it.addKnownList(policy.keys.map((k) => utf8.encode(k)));
  it.addKnownPreimage(utf8.encode(policy.descriptorTemplate));
}

/** A policy with its template, a key or its name mutated; the original when the mutation cannot be serialized. */
function mutatePolicy(rng: Rng, policy: WalletPolicy): WalletPolicy {
  const keys = [...policy.keys];
  let name = policy.name;
  let template = policy.descriptorTemplate;
  const what = rng.below(4);
  if (what === 0 && keys.length > 0) {
    const i = rng.below(keys.length);
    keys[i] = mutateText(rng, keys[i]!);
  } else if (what === 1) keys.splice(rng.below(keys.length + 1), rng.chance(0.5) ? 1 : 0, ...(rng.chance(0.5) ? [keys[0]!] : []));
  else if (what === 2) name = mutateText(rng, name);
  else template = mutateText(rng, template);
  try {
    const out = walletPolicy(name, template, keys);
    serializeWalletPolicy(out);
    return out;
  } catch {
    return policy;
  }
}

/** SIGN_PSBT of `maps` (a PSBTv2) with `policy`: merkleized and served as BitcoinAppClient.signPsbt does. */
function signPsbtServed(maps: Maps, policy: WalletPolicy, hmac: Uint8Array): { request: Parameters<typeof signPsbt.encodeRequest>[0]; serve: Served['serve'] } {
  const global = new MerkleizedMap(maps.global);
  const inputs = maps.inputs.map((m) => new MerkleizedMap(m));
  const outputs = maps.outputs.map((m) => new MerkleizedMap(m));
  const inputsTree = MerkleTree.fromElements(inputs.map((m) => m.commitment()));
  const outputsTree = MerkleTree.fromElements(outputs.map((m) => m.commitment()));
  return {
    request: {
      globalMap: { size: global.size, keysRoot: global.keysTree.root, valuesRoot: global.valuesTree.root },
      inputCount: inputs.length,
      inputsRoot: inputsTree.root,
      outputCount: outputs.length,
      outputsRoot: outputsTree.root,
      walletId: walletPolicyId(policy),
      hmac,
    },
    serve(it) {
      servePolicy(it, policy);
      it.addKnownMapping(global);
      for (const map of [...inputs, ...outputs]) it.addKnownMapping(map);
      it.addKnownList(inputs.map((m) => m.commitment()));
      it.addKnownList(outputs.map((m) => m.commitment()));
    },
  };
}

function rawMaps(psbt: Uint8Array): Maps {
  const v2: RawPsbt = toPsbtV2(psbt);
  return { global: [...v2.global], inputs: v2.inputs.map((m) => [...m]), outputs: v2.outputs.map((m) => [...m]) };
}

function signPsbtScenario(name: string, psbt: (session: FuzzSession) => Maps | Promise<Maps>, policy: WalletPolicy, hmac: Uint8Array, stateful = false): Scenario {
  return {
    name,
    stateful,
    async build(rng, mutate, session) {
      let maps = await psbt(session);
      let pol = policy;
      let mac = hmac;
      let counts: [number, number] | undefined;
      if (mutate) {
        const what = rng.below(10);
        if (what < 7) maps = mutateMaps(rng, maps);
        else if (what === 7) pol = mutatePolicy(rng, policy);
        else if (what === 8) mac = mutateBytes(rng, hmac).subarray(0, 32);
        else counts = [maps.inputs.length + rng.below(3) - 1, maps.outputs.length + rng.below(3) - 1];
      }
      const s = signPsbtServed(maps, pol, mac.length === 32 ? mac : hmac);
      if (counts) {
        s.request.inputCount = Math.max(0, counts[0]);
        s.request.outputCount = Math.max(0, counts[1]);
      }
      return { command: maybeMutateCommand(rng, mutate, commandApdu(signPsbt, s.request)), serve: s.serve };
    },
  };
}

const musigRound1Psbt = base64.decode(musig.psbt_round1_base64);
/** PSBT_IN_MUSIG2_PUB_NONCE (BIP-373): key type || participant || aggregate (as the input derives it), value the pubnonce. */
const pubNonceEntry = (participant: Uint8Array, aggregate: Uint8Array, pubnonce: Uint8Array): Entry => [concat(Uint8Array.of(PSBT_IN.MUSIG2_PUB_NONCE), participant, aggregate), pubnonce];

/**
 * Round 2 needs the session round 1 left on this device: run round 1 honestly, then add its pubnonce
 * and the cosigner's to the input (the field setMusigPubNonce writes, built here without re-parsing
 * the PSBT on every case).
 */
async function musigRound2Psbt(session: FuzzSession): Promise<Maps> {
  const s = signPsbtServed(rawMaps(musigRound1Psbt), MUSIG_POLICY, MUSIG_HMAC);
  const r1 = await session.runHonest({ command: commandApdu(signPsbt, s.request), serve: s.serve });
  const maps = rawMaps(musigRound1Psbt);
  const mine = r1.yields.map((y) => decodeSignPsbtYield(y)).find((y) => y.type === 'musigPubNonce');
  if (mine?.type === 'musigPubNonce') {
    maps.inputs[0]!.push(pubNonceEntry(mine.participantPubkey, mine.aggregatePubkey, mine.pubnonce));
    maps.inputs[0]!.push(pubNonceEntry(fromHex(musig.cosigner_pubkey), mine.aggregatePubkey, fromHex(musig.cosigner_pubnonce)));
  }
  return maps;
}

const registerScenario: Scenario = {
  name: 'register-wallet',
  build(rng, mutate) {
    let policy = rng.pick(REGISTRATIONS);
    if (mutate) policy = mutatePolicy(rng, policy);
    const command = commandApdu(registerWallet, { policy: serializeWalletPolicy(policy) });
    return { command: maybeMutateCommand(rng, mutate, command), serve: (it) => servePolicy(it, policy) };
  },
};

const addressScenario: Scenario = {
  name: 'get-wallet-address',
  build(rng, mutate) {
    const registered = rng.chance(0.5);
    const policy = registered ? MUSIG_POLICY : policyOf(keypath.wallet_policy);
    const pol = mutate && rng.chance(0.5) ? mutatePolicy(rng, policy) : policy;
    const command = commandApdu(getWalletAddress, {
      display: rng.chance(0.5),
      walletId: walletPolicyId(pol),
      hmac: registered ? MUSIG_HMAC : ZERO_HMAC,
      change: rng.chance(0.3),
      index: rng.chance(0.8) ? rng.below(100) : rng.u32() & 0x7fffffff,
    });
    return { command: maybeMutateCommand(rng, mutate, command), serve: (it) => servePolicy(it, pol) };
  },
};

const MESSAGES = [utf8.encode('hello world'), new Uint8Array(0), new Uint8Array(300).fill(0x41), Uint8Array.from({ length: 130 }, (_, i) => i)];
const MESSAGE_PATHS = ["m/44'/1'/0'/0/0", "m/86'/1'/0'/0/0", "m/84'/1'/0'/1/7"];

const messageScenario: Scenario = {
  name: 'sign-message',
  build(rng, mutate) {
    let message: Uint8Array = rng.pick(MESSAGES);
    if (mutate && rng.chance(0.5)) message = mutateBytes(rng, message);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < message.length; i += MESSAGE_CHUNK_SIZE) chunks.push(message.subarray(i, i + MESSAGE_CHUNK_SIZE));
    let path = parsePath(rng.pick(MESSAGE_PATHS));
    if (mutate && rng.chance(0.3)) path = path.map((s) => (rng.chance(0.3) ? rng.u32() : s));
    const tree = MerkleTree.fromElements(chunks);
    const command = commandApdu(signMessage, { path, messageLength: message.length, messageRoot: tree.root });
    return { command: maybeMutateCommand(rng, mutate, command), serve: (it) => void it.addKnownList(chunks) };
  },
};

const XPUB_PATHS = ["m/86'/1'/0'", "m/1017'/1'/212'/0/0", "m/86'/1'/101'", "m/48'/1'/0'/2'", "m/44'/1'/0'/0/0"];

const xpubScenario: Scenario = {
  name: 'get-extended-pubkey',
  build(rng, mutate) {
    const path = maybeMutatePath(rng, mutate, parsePath(rng.pick(XPUB_PATHS)));
    const command = commandApdu(getExtendedPubkey, { display: rng.chance(0.5), path });
    return { command: maybeMutateCommand(rng, mutate, command), serve: () => {} };
  },
};

export const bitcoinTarget: FuzzTarget = {
  name: 'bitcoin',
  appName: 'Bitcoin Test',
  create: createBitcoinTestnetApp,
  probe: { command: fromHex('e105000100'), answer: 'f5acc2fd9000' },
  scenarios: [
    signPsbtScenario('sign-psbt-taproot-keypath', () => rawMaps(base64.decode(keypath.psbt_base64)), policyOf(keypath.wallet_policy), ZERO_HMAC),
    signPsbtScenario('sign-psbt-wpkh', () => rawMaps(base64.decode(wpkh.psbt_base64)), policyOf(wpkh.wallet_policy), ZERO_HMAC),
    signPsbtScenario('sign-psbt-musig-round1', () => rawMaps(musigRound1Psbt), MUSIG_POLICY, MUSIG_HMAC),
    signPsbtScenario('sign-psbt-musig-round2', musigRound2Psbt, MUSIG_POLICY, MUSIG_HMAC, true),
    registerScenario,
    addressScenario,
    messageScenario,
    xpubScenario,
  ],
  signatures(command, yields, statusWord) {
    if (command.ins === INS.SIGN_PSBT) return signatureYields(yields, decodeSignPsbtYield);
    if (statusWord !== 0x9000) return 0;
    // A message signature and a registration's HMAC are authorizations: both need the person's approval.
    return command.ins === INS.SIGN_MESSAGE || command.ins === INS.REGISTER_WALLET ? 1 : 0;
  },
};
