// The flows recorded on real Speculos into test/vectors/speculos-local (scripts/record-screens.ts) and
// replayed against the emulator (local-screens.test.ts): what the host asks, and how the screens are
// walked. A flow is data, so a recording names its request and the test runs the same one.

import { readdirSync, readFileSync } from 'node:fs';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { p2pk, p2pkh, p2sh, p2tr, p2wpkh, p2wsh, Transaction, TEST_NETWORK } from '@scure/btc-signer';
import { toHex } from '../../../apdu/bytes.ts';
import { walletPolicy, walletPolicyHmac, walletPolicyId } from '../../../bitcoin/wallet-policy.ts';
import type { BitcoinAppClient } from '../../../host/bitcoin-app/client.ts';

export type LocalModel = 'nanosp' | 'nanox' | 'flex' | 'stax';

export type Request =
  | { kind: 'address'; name: string; template: string; keys: string[]; change: 0 | 1; index: number }
  | { kind: 'xpub'; path: string }
  | { kind: 'message'; path: string; message: string }
  | { kind: 'register'; name: string; template: string; keys: string[] }
  | { kind: 'psbt'; template: string; keys: string[]; psbt: string };

export interface LocalFlow {
  name: string;
  about: string;
  request: Request;
  /** approve: walk forward to the approve action; reject: the reject path (Nano: the last page; touch: the footer). */
  outcome: 'approve' | 'reject';
}

export type ScreenAction = { button: 'left' | 'right' | 'both' } | { finger: [number, number]; delay?: number } | { none: string };

export interface RecordedEvent {
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Set false by loadRecordings() for a line rebuilt from STACK_LEFTOVERS: its box is not the device's text. */
  measured?: boolean;
}

export interface RecordedScreen {
  step: number;
  events: RecordedEvent[];
  action: ScreenAction;
}

export interface Recording extends LocalFlow {
  model: LocalModel;
  /** Status word of the command (hex), and its result when approved. */
  status: string;
  result?: string;
  screens: RecordedScreen[];
}

export const SPECULOS_SEED =
  'glory promote mansion idle axis finger extra february uncover one trip resource lawn turtle enact monster seven myth punch hobby comfort wild raise skin';
export const COSIGNER1 = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
export const COSIGNER2 = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

const roots = new Map<string, HDKey>();
/** A seed's BIP-32 master key, with testnet versions. */
export function root(mnemonic: string): HDKey {
  let r = roots.get(mnemonic);
  if (!r) roots.set(mnemonic, (r = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic), { private: 0x04358394, public: 0x043587cf })));
  return r;
}

/** "[fingerprint/path]tpub" of a seed's account key. */
export function keyInfo(mnemonic: string, path: string): string {
  const r = root(mnemonic);
  const fpr = r.fingerprint.toString(16).padStart(8, '0');
  return `[${fpr}/${path}]${r.derive(`m/${path}`).publicExtendedKey}`;
}

const dev = (path: string) => keyInfo(SPECULOS_SEED, path);
const co1 = (path: string) => keyInfo(COSIGNER1, path);
const co2 = (path: string) => keyInfo(COSIGNER2, path);

/** Output scripts of every address kind (base58 and bech32/bech32m), from cosigner 2's keys. */
function addressOf(kind: 'pkh' | 'sh-wpkh' | 'wpkh' | 'wsh' | 'tr', index: number): string {
  const pub = root(COSIGNER2).derive(`m/84'/1'/0'/0/${index}`).publicKey!;
  const payment = {
    pkh: () => p2pkh(pub, TEST_NETWORK),
    'sh-wpkh': () => p2sh(p2wpkh(pub, TEST_NETWORK), TEST_NETWORK),
    wpkh: () => p2wpkh(pub, TEST_NETWORK),
    wsh: () => p2wsh(p2pk(pub, TEST_NETWORK), TEST_NETWORK),
    tr: () => p2tr(pub.subarray(1), undefined, TEST_NETWORK),
  }[kind]();
  return payment.address!;
}

/**
 * A PSBT spending the corpus's BIP-86 input (50 000 sat at m/86'/1'/0'/0/0) to `outputs`
 * (sat amounts to the given address kinds); what is left is the fee.
 */
function psbtTo(outputs: [kind: Parameters<typeof addressOf>[0], sats: bigint][]): string {
  const corpus = JSON.parse(readFileSync(new URL('../../vectors/speculos-corpus/nanosp/sign-psbt-taproot-keypath.json', import.meta.url), 'utf8'));
  const base = Transaction.fromPSBT(Buffer.from(corpus.inputs.psbt_base64, 'base64'));
  const tx = new Transaction({ allowUnknownOutputs: true });
  tx.addInput(base.getInput(0));
  outputs.forEach(([kind, sats], i) => tx.addOutputAddress(addressOf(kind, i), sats, TEST_NETWORK));
  return Buffer.from(tx.toPSBT(0)).toString('base64');
}

const TR = "86'/1'/0'";
const single = (template: string, path: string) => ({ name: '', template, keys: [dev(path)] });

export const LOCAL_FLOWS: LocalFlow[] = [
  ...([
    ['tr', 'tr(@0/**)', TR, 0, 0],
    ['tr', 'tr(@0/**)', TR, 0, 1],
    ['tr', 'tr(@0/**)', TR, 0, 17],
    ['tr', 'tr(@0/**)', TR, 1, 3],
    ['tr', 'tr(@0/**)', TR, 0, 4242],
    ['wpkh', 'wpkh(@0/**)', "84'/1'/0'", 0, 0],
    ['wpkh', 'wpkh(@0/**)', "84'/1'/0'", 1, 7],
    ['sh-wpkh', 'sh(wpkh(@0/**))', "49'/1'/0'", 0, 2],
    ['sh-wpkh', 'sh(wpkh(@0/**))', "49'/1'/0'", 1, 9],
    ['pkh', 'pkh(@0/**)', "44'/1'/0'", 0, 4],
    ['pkh', 'pkh(@0/**)', "44'/1'/0'", 0, 31],
  ] as const).map(([kind, template, path, change, index]) => ({
    name: `address-${kind}-${change}-${index}`,
    about: `GET_WALLET_ADDRESS display=1, ${template} at ${path}, ${change ? 'change' : 'receive'} index ${index}`,
    request: { kind: 'address' as const, ...single(template, path), change, index },
    outcome: 'approve' as const,
  })),
  {
    name: 'address-wsh-multisig-registered',
    about: 'GET_WALLET_ADDRESS display=1 of a registered 2-of-2 wsh sortedmulti (the account name is shown)',
    request: { kind: 'address', name: 'Cold storage 2of2', template: 'wsh(sortedmulti(2,@0/**,@1/**))', keys: [dev("48'/1'/0'/2'"), co1("48'/1'/0'/2'")], change: 0, index: 5 },
    outcome: 'approve',
  },
  {
    name: 'address-tr-reject',
    about: 'GET_WALLET_ADDRESS display=1, tr(@0/**) index 2, cancelled',
    request: { kind: 'address', ...single('tr(@0/**)', TR), change: 0, index: 2 },
    outcome: 'reject',
  },
  ...(["86'/1'/101'", "44'/1'/7'/0/3", "49'/1'/250'", "1017'/1'/212'/0/0", "48'/1'/3'/2'/1/99"] as const).map((path) => ({
    name: `xpub-${path.replace(/'/g, 'h').replace(/\//g, '-')}`,
    about: `GET_EXTENDED_PUBKEY display=1 at m/${path}`,
    request: { kind: 'xpub' as const, path: `m/${path}` },
    outcome: 'approve' as const,
  })),
  { name: 'xpub-reject', about: "GET_EXTENDED_PUBKEY display=1 at m/86'/1'/102', rejected", request: { kind: 'xpub', path: "m/86'/1'/102'" }, outcome: 'reject' },
  ...([
    ['hello', 'Hello, World! 123'],
    ['fox', 'The quick brown fox jumps over the lazy dog.'],
    ['upper', 'THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG 0123456789'],
    ['punct', '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
    ['sphinx', 'Sphinx of black quartz, judge my vow. Pack my box with five dozen liquor jugs!'],
    ['mixed', 'zq9 Xy-7_a b~c {d} [e] <f> g|h JKL;mno'],
    ['digits', '31415926535897932384626433832795028841971693993751'],
    ['words', 'Wallet ownership proof: I control bc1 address #42 (Oct-2024) & agree.'],
  ] as const).map(([tag, message]) => ({
    name: `message-${tag}`,
    about: `SIGN_MESSAGE at m/84'/1'/0'/0/0: ${JSON.stringify(message)}`,
    request: { kind: 'message' as const, path: "m/84'/1'/0'/0/0", message },
    outcome: 'approve' as const,
  })),
  { name: 'message-reject', about: 'SIGN_MESSAGE "Do not sign", rejected', request: { kind: 'message', path: "m/44'/1'/0'/0/0", message: 'Do not sign' }, outcome: 'reject' },
  ...([
    ['wsh', 'Cold storage', 'wsh(sortedmulti(2,@0/**,@1/**))', [dev("48'/1'/0'/2'"), co1("48'/1'/0'/2'")]],
    ['wsh-2of3', "Alice & Bob's vault #2", 'wsh(sortedmulti(2,@0/**,@1/**,@2/**))', [co2("48'/1'/0'/2'"), dev("48'/1'/0'/2'"), co1("48'/1'/0'/2'")]],
    ['tr-leaf', 'QWERTY-zxcv_09 (test)', 'tr(@0/**,pk(@1/**))', [dev(TR), co2("86'/1'/0'")]],
    ['wsh-and', 'Joint: Yves+Zoe [UK]', 'wsh(and_v(v:pk(@0/**),pk(@1/**)))', [dev("48'/1'/1'/2'"), co1("48'/1'/1'/2'")]],
  ] as const).map(([tag, name, template, keys]) => ({
    name: `register-${tag}`,
    about: `REGISTER_WALLET "${name}" ${template}`,
    request: { kind: 'register' as const, name, template, keys: [...keys] },
    outcome: 'approve' as const,
  })),
  {
    name: 'register-reject',
    about: 'REGISTER_WALLET "Rejected one" wsh(sortedmulti(1,@0/**,@1/**)), rejected',
    request: { kind: 'register', name: 'Rejected one', template: 'wsh(sortedmulti(1,@0/**,@1/**))', keys: [dev("48'/1'/0'/2'"), co1("48'/1'/0'/2'")] },
    outcome: 'reject',
  },
  ...([
    ['2-outputs', [['pkh', 12_345n], ['tr', 30_000n]]],
    ['3-outputs', [['sh-wpkh', 7_770n], ['wpkh', 15_000n], ['wsh', 26_000n]]],
    ['4-outputs', [['tr', 1_000n], ['pkh', 2_468n], ['wpkh', 13_579n], ['sh-wpkh', 32_000n]]],
    ['1-output', [['wsh', 49_123n]]],
  ] as const).map(([tag, outputs]) => ({
    name: `psbt-${tag}`,
    about: `SIGN_PSBT of the BIP-86 input to ${outputs.length} external output(s)`,
    request: { kind: 'psbt' as const, template: 'tr(@0/**)', keys: [dev(TR)], psbt: psbtTo(outputs.map(([k, s]) => [k, s])) },
    outcome: 'approve' as const,
  })),
  {
    name: 'psbt-reject',
    about: 'SIGN_PSBT to two outputs, rejected',
    request: { kind: 'psbt', template: 'tr(@0/**)', keys: [dev(TR)], psbt: psbtTo([['tr', 20_000n], ['wpkh', 20_000n]]) },
    outcome: 'reject',
  },
];

/** Sends the flow's request; resolves with what the app answered (address, xpub, signature…). */
export async function runRequest(client: BitcoinAppClient, request: Request): Promise<string> {
  switch (request.kind) {
    case 'address': {
      const policy = walletPolicy(request.name, request.template, request.keys);
      const hmac = request.name === '' ? null : walletPolicyHmac(mnemonicToSeedSync(SPECULOS_SEED), walletPolicyId(policy));
      return client.getWalletAddress(policy, hmac, request.change, request.index, { display: true });
    }
    case 'xpub':
      return client.getExtendedPubkey(request.path, { display: true });
    case 'message':
      return (await client.signMessage(request.message, request.path)).base64;
    case 'register':
      return toHex((await client.registerWallet(walletPolicy(request.name, request.template, request.keys))).hmac);
    case 'psbt': {
      const yields = await client.signPsbt(request.psbt, walletPolicy('', request.template, request.keys), null);
      return `${yields.length} signature(s)`;
    }
  }
}

const ROOT = new URL('../../vectors/speculos-local/', import.meta.url);

/**
 * Where the real app drew more than the descriptor template. app-bitcoin-new 2.4.6 reads the template
 * into a stack buffer (register_wallet.c, `policy_map_descriptor[MAX_DESCRIPTOR_TEMPLATE_LENGTH]`)
 * without a terminating NUL and shows it as a C string, so the screen goes on with whatever earlier
 * commands left on the stack: here the tail of the previous, longer template of the recording
 * session (e.g. "tr(@0/**,pk(@1/**))" + "0/**,@1/**,@2/**))"), once a stray "\u0001". The screenshots
 * show these characters; they depend on the session's history, so the emulator shows the template
 * alone and the replay compares against `device`. (The shared corpus shows the same effect.)
 */
export const STACK_LEFTOVERS: { model: LocalModel; flow: string; shown: string[]; device: string[] }[] = [
  { model: 'nanosp', flow: 'register-reject', shown: ['/**,@1/**))))**))'], device: ['/**,@1/**))'] },
  { model: 'nanosp', flow: 'register-tr-leaf', shown: ['tr(@0/**,pk(@1/**))0/', '**,@1/**,@2/**))'], device: ['tr(@0/**,pk(@1/**))'] },
  { model: 'nanosp', flow: 'register-wsh-and', shown: ['*)))**))'], device: ['*)))'] },
  { model: 'flex', flow: 'register-tr-leaf', shown: ['tr(@0/**,pk(@1/**))0/*', '*,@1/**,@2/**))'], device: ['tr(@0/**,pk(@1/**))'] },
  { model: 'flex', flow: 'register-wsh-and', shown: [')))**))'], device: [')))'] },
  { model: 'flex', flow: 'register-wsh', shown: ['**,@1/**)) \u0001'], device: ['**,@1/**))'] },
  { model: 'nanox', flow: 'register-reject', shown: ['/**,@1/**))))**))'], device: ['/**,@1/**))'] },
  { model: 'nanox', flow: 'register-tr-leaf', shown: ['tr(@0/**,pk(@1/**))0/', '**,@1/**,@2/**))'], device: ['tr(@0/**,pk(@1/**))'] },
  { model: 'nanox', flow: 'register-wsh-and', shown: ['*)))**))'], device: ['*)))'] },
  { model: 'stax', flow: 'register-tr-leaf', shown: ['tr(@0/**,pk(@1/**))0/', '**,@1/**,@2/**))'], device: ['tr(@0/**,pk(@1/**))'] },
  { model: 'stax', flow: 'register-wsh-and', shown: ['*)))**))'], device: ['*)))'] },
  { model: 'stax', flow: 'register-wsh', shown: ['/**,@1/**)) \u0001'], device: ['/**,@1/**))'] },
];

function undoLeftovers(rec: Recording): Recording {
  const screens = rec.screens.map((screen) => {
    // Speculos 0.27.1 reports an empty text item under a touch section page ("Review co-signer
    // public keys"); nothing is drawn there.
    let events = screen.events.filter((e) => e.text !== '');
    for (const l of STACK_LEFTOVERS.filter((l) => l.model === rec.model && l.flow === rec.name)) {
      const at = events.findIndex((_, i) => l.shown.every((t, k) => events[i + k]?.text === t));
      if (at < 0) continue;
      const first = events[at]!;
      const rebuilt = l.device.map((text, k) => ({ ...first, text, y: first.y + k * first.h, measured: false }));
      events = [...events.slice(0, at), ...rebuilt, ...events.slice(at + l.shown.length)];
    }
    return { ...screen, events };
  });
  const used = STACK_LEFTOVERS.filter((l) => l.model === rec.model && l.flow === rec.name);
  for (const l of used)
    if (!rec.screens.some((s) => l.shown.every((t) => s.events.some((e) => e.text === t))))
      throw new Error(`speculos-local ${rec.model}/${rec.name}: listed leftover ${JSON.stringify(l.shown)} not found`);
  return { ...rec, screens };
}

/** The recordings of `models` (default: the two the fonts are fitted from). */
export function loadRecordings(models: readonly LocalModel[] = ['nanosp', 'flex']): Recording[] {
  const out: Recording[] = [];
  for (const model of models) {
    let files: string[];
    try {
      files = readdirSync(new URL(`${model}/`, ROOT)).filter((f) => f.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const f of files) out.push(undoLeftovers(JSON.parse(readFileSync(new URL(`${model}/${f}`, ROOT), 'utf8')) as Recording));
  }
  return out;
}
