// Records the APDU transcript of a named flow against any backend, in Ledger's "=> / <=" text
// (devices/replay.ts): the emulator in-process, or real Speculos started by the harness
// (SPECULOS_APP_ELF, SPECULOS_MODEL, SPECULOS_BIN as for the conformance suite). Reviews are
// approved on screen by the backend, as a person would. The transcript replays with
// ReplayTransport, or against a device command by command (test/harness/record.test.ts).
//
//   npx tsx scripts/record.ts --backend emulator|speculos --flow <name> --out FILE
//                             [--model nanosp|nanox|flex|stax] [--deterministic-rng N]
//   npx tsx scripts/record.ts --list

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs, intOption } from '../cli/args.ts';
import { CliError } from '../cli/command.ts';
import { getModel, type ModelId } from '../devices/models.ts';
import { TranscriptRecorder } from '../devices/replay.ts';
import { walletPolicy } from '../bitcoin/wallet-policy.ts';
import { backendsFromEnv, InProcessEmulatorBackend, type Backend } from '../harness/index.ts';
import { BitcoinAppClient } from '../host/bitcoin-app/client.ts';
import { TapAppClient } from '../host/tap-app/client.ts';
import { transferPacket } from '../test/unit/tap-app/vpsbt-fixture.ts';

const corpus = (flow: string) =>
  JSON.parse(readFileSync(new URL(`../test/vectors/speculos-corpus/nanosp/${flow}.json`, import.meta.url), 'utf8'));

interface Flow {
  /** Key in the emulator's APPS: what the backend must run. */
  app: 'bitcoin-test' | 'tap';
  about: string;
  run(transport: TranscriptRecorder, approve: <T>(call: Promise<T>) => Promise<T>): Promise<void>;
}

const FLOWS: Record<string, Flow> = {
  'app-info': {
    app: 'bitcoin-test',
    about: 'Bitcoin app: GET_APP_AND_VERSION, GET_MASTER_FINGERPRINT, xpub m/86\'/1\'/0\' without review',
    async run(t) {
      const client = new BitcoinAppClient(t);
      await client.getAppAndVersion();
      await client.getMasterFingerprint();
      await client.getExtendedPubkey("m/86'/1'/0'");
    },
  },
  'xpub-display': {
    app: 'bitcoin-test',
    about: "Bitcoin app: xpub m/86'/1'/101' shown on screen and approved",
    async run(t, approve) {
      await approve(new BitcoinAppClient(t).getExtendedPubkey("m/86'/1'/101'", { display: true }));
    },
  },
  'sign-message': {
    app: 'bitcoin-test',
    about: 'Bitcoin app: SIGN_MESSAGE with the corpus message at m/44\'/1\'/0\'/0/0, approved',
    async run(t, approve) {
      const flow = corpus('sign-message-44h');
      await approve(new BitcoinAppClient(t).signMessage(flow.inputs.message, flow.inputs.path));
    },
  },
  'register-wsh-multisig': {
    app: 'bitcoin-test',
    about: 'Bitcoin app: REGISTER_WALLET of the corpus 2-of-2 wsh sortedmulti, approved, then an address',
    async run(t, approve) {
      const flow = corpus('policy-wsh-sortedmulti-2of2');
      const client = new BitcoinAppClient(t);
      const policy = walletPolicy(flow.inputs.wallet_name, flow.inputs.descriptor_template, flow.inputs.keys_info);
      const { hmac } = await approve(client.registerWallet(policy));
      await client.getWalletAddress(policy, hmac, false, 0);
    },
  },
  'sign-psbt-taproot': {
    app: 'bitcoin-test',
    about: 'Bitcoin app: SIGN_PSBT of the corpus BIP-86 key-path PSBT, approved',
    async run(t, approve) {
      const flow = corpus('sign-psbt-taproot-keypath');
      const policy = walletPolicy('', 'tr(@0/**)', flow.inputs.wallet_policy.keys_info);
      await approve(new BitcoinAppClient(t).signPsbt(flow.inputs.psbt_base64, policy, null));
    },
  },
  'tap-keys': {
    app: 'tap',
    about: "Taproot Assets app: GET_APP_INFO, GET_MASTER_FINGERPRINT, GET_KEY m/1017'/1'/212'/0/0",
    async run(t) {
      const client = new TapAppClient(t);
      await client.getAppInfo();
      await client.getMasterFingerprint();
      await client.getKey("m/1017'/1'/212'/0/0");
    },
  },
  'tap-sign-vpsbt': {
    app: 'tap',
    about: 'Taproot Assets app: SIGN_VPSBT of a generated one-input transfer, approved',
    async run(t, approve) {
      await approve(new TapAppClient(t).signVpsbt(transferPacket({ inputs: [1000n], recipients: 1 })));
    },
  },
};

const USAGE = `record.ts --backend emulator|speculos --flow <${Object.keys(FLOWS).join('|')}> --out FILE [--model M] [--deterministic-rng N] | --list`;
const SPEC = { backend: 'value', flow: 'value', out: 'value', model: 'value', 'deterministic-rng': 'value', list: 'flag' } as const;

async function openBackend(kind: string, app: Flow['app'], model: string, rng: number): Promise<Backend> {
  if (kind === 'emulator') return InProcessEmulatorBackend.create({ model: getModel(model as ModelId).id, app, deterministicRng: rng });
  if (kind !== 'speculos') throw new CliError(`--backend: expected emulator or speculos, got "${kind}"`);
  const candidate = backendsFromEnv().find((c) => c.kind === 'speculos')!;
  if (!candidate.available) throw new CliError(`--backend speculos: ${candidate.reason}`);
  if (!candidate.apps.includes(app)) throw new CliError(`--backend speculos: the flow needs the ${app} app, Speculos runs ${candidate.apps.join(', ')}`);
  return candidate.create({ deterministicRng: rng });
}

/** Records the flow argv names into --out: a comment header, then "=> / <=" lines. */
async function record(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, SPEC, USAGE);
  if (args.flags.has('list')) {
    for (const [name, flow] of Object.entries(FLOWS)) console.log(`${name.padEnd(24)}${flow.about}`);
    return;
  }
  const need = (name: string) => {
    const v = args.values.get(name);
    if (v === undefined) throw new CliError(`--${name} is required; usage: ${USAGE}`);
    return v;
  };
  const name = need('flow');
  const flow = FLOWS[name];
  if (!flow) throw new CliError(`--flow: expected one of ${Object.keys(FLOWS).join(', ')}, got "${name}"`);
  const out = need('out');
  const rng = intOption(args, 'deterministic-rng', 42, 0, 0xffffffff);
  // --model picks the emulator's model; real Speculos runs the ELF's model (SPECULOS_MODEL).
  const backend = await openBackend(need('backend'), flow.app, args.values.get('model') ?? 'nanosp', rng);
  try {
    const recorder = new TranscriptRecorder(backend.transport);
    const approve = async <T>(call: Promise<T>): Promise<T> => (await Promise.all([call, backend.approve({ timeoutMs: 30_000 })]))[0];
    await flow.run(recorder, approve);
    const text = `# flow: ${name} (${flow.about})\n# backend: ${backend.kind} (${backend.model.id}), deterministic rng ${rng}\n${recorder.transcript()}`;
    writeFileSync(out, text);
    console.log(`${out}: ${recorder.exchanges.length} exchanges`);
  } finally {
    await backend.close();
  }
}

record(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err instanceof CliError ? err.message : err);
    process.exit(err instanceof CliError ? 2 : 1);
  },
);
