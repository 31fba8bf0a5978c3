// Records the APDU transcript of a named flow against any backend, in Ledger's "=> / <=" text
// (devices/replay.ts): the emulator in-process, or real Speculos started by the harness
// (SPECULOS_APP_ELF, SPECULOS_MODEL, SPECULOS_BIN as for the conformance suite). Reviews are
// approved on screen by the backend, as a person would. The transcript replays with
// ReplayTransport, or against a device command by command (test/harness/record.test.ts).
//
//   npx tsx scripts/record.ts --backend emulator|speculos --flow <name> --out FILE
//                             [--model nanosp|nanox|flex|stax] [--deterministic-rng N]
//   npx tsx scripts/record.ts --list
//
// --rand-trace LOG (real Speculos, with scripts/qemu-rand-trace as its qemu-arm-static): after every
// device answer, counts the launcher's rand() calls logged so far and writes them next to the
// transcript (FILE without .apdus, then .rng.json: {"seed", "positions": {"<line of the <= line>": calls since power-on}}),
// the stream positions the emulator's model must reach (test/vectors/speculos-rng).

import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { parseArgs, intOption } from '../cli/args.ts';
import { CliError } from '../cli/command.ts';
import { getModel, type ModelId } from '../devices/models.ts';
import { parseTranscript, TranscriptRecorder } from '../devices/replay.ts';
import { walletPolicy } from '../bitcoin/wallet-policy.ts';
import { backendsFromEnv, InProcessEmulatorBackend, type Backend } from '../harness/index.ts';
import { BitcoinAppClient } from '../host/bitcoin-app/client.ts';
import { TapAppClient } from '../host/tap-app/client.ts';
import { afterEachAnswer, TAPTREE_FLOWS } from '../test/corpus/taptree-flows.ts';
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
  // recorded on real Speculos into test/vectors/speculos-taptree
  ...Object.fromEntries(Object.entries(TAPTREE_FLOWS).map(([name, flow]) => [name, { app: 'bitcoin-test' as const, ...flow }])),
};

const USAGE = `record.ts --backend emulator|speculos --flow <${Object.keys(FLOWS).join('|')}> --out FILE [--model M] [--deterministic-rng N] [--rand-trace LOG] | --list`;
const SPEC = { backend: 'value', flow: 'value', out: 'value', model: 'value', 'deterministic-rng': 'value', 'rand-trace': 'value', list: 'flag' } as const;

/** Counts the lines qemu has logged to `path` so far (one per rand() entry), reading only what is new. */
class LineCounter {
  private offset = 0;
  private lines = 0;
  private readonly buffer = new Uint8Array(1 << 16);
  constructor(private readonly path: string) {}

  count(): number {
    const fd = openSync(this.path, 'r');
    try {
      for (let n; (n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset)) > 0; this.offset += n)
        for (let i = 0; i < n; i++) if (this.buffer[i] === 0x0a) this.lines++;
    } finally {
      closeSync(fd);
    }
    return this.lines;
  }
}

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
  const trace = args.values.get('rand-trace');
  if (trace !== undefined) {
    if (args.values.get('backend') !== 'speculos') throw new CliError('--rand-trace: only with --backend speculos');
    writeFileSync(trace, '');
    // read by scripts/qemu-rand-trace, which Speculos starts as its qemu-arm-static
    process.env.RAND_TRACE_LOG = trace;
  }
  // --model picks the emulator's model; real Speculos runs the ELF's model (SPECULOS_MODEL).
  const backend = await openBackend(need('backend'), flow.app, args.values.get('model') ?? 'nanosp', rng);
  try {
    const positions: number[] = [];
    const counter = trace === undefined ? undefined : new LineCounter(trace);
    const recorder = new TranscriptRecorder(counter ? afterEachAnswer(backend.transport, () => positions.push(counter.count())) : backend.transport);
    const approve = async <T>(call: Promise<T>): Promise<T> => (await Promise.all([call, backend.approve({ timeoutMs: 30_000 })]))[0];
    await flow.run(recorder, approve);
    const text = `# flow: ${name} (${flow.about})\n# backend: ${backend.kind} (${backend.model.id}), deterministic rng ${rng}\n${recorder.transcript()}`;
    writeFileSync(out, text);
    console.log(`${out}: ${recorder.exchanges.length} exchanges`);
    if (trace !== undefined) {
      if (positions.length === 0 || positions[positions.length - 1] === 0) throw new CliError(`--rand-trace: ${trace} stayed empty; is scripts/qemu-rand-trace first on PATH as qemu-arm-static?`);
      const byLine = Object.fromEntries(parseTranscript(text).map((e, k) => [String(e.responseLine), positions[k]!]));
      const rngOut = `${out.replace(/\.apdus$/, '')}.rng.json`;
      writeFileSync(rngOut, `${JSON.stringify({ seed: rng, positions: byLine })}\n`);
      console.log(`${rngOut}: stream at ${positions[positions.length - 1]} after the last answer`);
    }
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
