// The stateful fuzzer: drives the real emulated device in process (over the loopback transport) with commands whose client commands are answered by the host's own
// ClientCommandInterpreter from valid merkleized data, and mutates what it serves (mutate.ts: values,
// keys, counts, order before merkleization; engine: answers on the wire). A person (../person.ts)
// approves or rejects every review on the device's screens.
//
// Invariants checked on every case:
//  1. every exchange ends in a status word (and a command the host stops serving still ends in one);
//  2. nothing is signed that was not reviewed: a signature (or another authorization, such as a
//     registration HMAC) leaves the device only after the person approved a review in that command;
//  3. the app reports no internal fault and no exchange hangs;
//  4. the device still answers afterwards: the probe (master fingerprint) gets its exact answer;
//  5. no state leaks: every `leakEvery` cases an honest scenario must end exactly as it did on the
//     fresh device (status word, kinds of yields, reviews shown).
// The protocol-specific part is a FuzzTarget (bitcoin.ts, tap.ts): its scenarios and how to count
// signatures. A command sent as several APDUs (SIGN_VPSBT's stream and its RESULTS) names each next
// APDU (Served.next); the transport layer then also drops, repeats, alters or interleaves APDUs of
// the sequence, or stops sending it.

import { decodeCommand, decodeResponse, encodeCommand, type CommandApdu } from '../../../apdu/apdu.ts';
import { toHex } from '../../../apdu/bytes.ts';
import { continueCommand, decodeClientCommandRequest, SW_INTERRUPTED_EXECUTION } from '../../../apdu/interrupt.ts';
import { MAX_APDU_DATA } from '../../../apdu/apdu.ts';
import type { AppFactory } from '../../../emulator/app.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import { ClientCommandInterpreter } from '../../../host/client-commands.ts';
import { Person } from '../person.ts';
import { prng, type Rng } from '../prng.ts';
import { isTypedError } from '../typed-errors.ts';
import { isTaprootHwError } from '../../../apdu/errors.ts';
import { mutateBytes } from './mutate.ts';

/** One command as the host sends it, and what the host commits to (registered with its interpreter). */
export interface Served {
  command: CommandApdu;
  serve(it: ClientCommandInterpreter): void;
  /**
   * A command sent as several APDUs: the next one after an APDU answered 9000 with `data`, or
   * undefined when the command is complete. Each call advances the sequence.
   */
  next?(data: Uint8Array): CommandApdu | undefined;
}

export interface Scenario {
  name: string;
  /** The valid request, or with `mutate` a semantically mutated one. May run honest commands first (MuSig2 round 1). */
  build(rng: Rng, mutate: boolean, session: FuzzSession): Promise<Served> | Served;
  /** Left out of the state-leak check (its honest outcome depends on earlier commands by design). */
  stateful?: boolean;
}

export interface FuzzTarget {
  /** e.g. 'bitcoin', 'tap' */
  name: string;
  /** The name E0 D8 opens the app with. */
  appName: string;
  create: AppFactory;
  scenarios: readonly Scenario[];
  /** A command with a fixed answer (data || SW as hex): the device is alive and idle. */
  probe: { command: Uint8Array; answer: string };
  /**
   * Signatures (and other authorizations) a finished command produced, from its yields, its final
   * status word and the data of every answer (one per APDU of the command).
   */
  signatures(command: CommandApdu, yields: readonly Uint8Array[], statusWord: number, responses: readonly Uint8Array[]): number;
}

export interface Violation {
  case: number;
  scenario: string;
  kind: 'no-status-word' | 'unreviewed-signature' | 'fault' | 'hang' | 'dead' | 'state-leak' | 'host-interpreter';
  message: string;
}

export interface FuzzStats {
  target: string;
  seed: number;
  cases: number;
  apdus: number;
  /** Final status words of the fuzzed commands (hex -> count). */
  statusWords: Record<string, number>;
  reviewsShown: number;
  reviewsApproved: number;
  signatures: number;
  /** Signatures per scenario: shows which requests the fuzzer drove all the way to signing. */
  signaturesBy: Record<string, number>;
  leakChecks: number;
  violations: Violation[];
  /** process RSS in MB, sampled over the run */
  rssMb: number[];
  seconds: number;
}

export interface Outcome {
  statusWord: number;
  data: Uint8Array;
  yields: Uint8Array[];
  /** The data of every answer, one per APDU of the command. */
  responses: Uint8Array[];
}

/**
 * Signatures among SIGN_PSBT-style yields (the Bitcoin app's and SIGN_VPSBT's share one format). A
 * yield the host cannot read counts as a signature: it must not leave the device unreviewed either.
 */
export function signatureYields(yields: readonly Uint8Array[], decode: (y: Uint8Array) => { type: string }): number {
  let n = 0;
  for (const y of yields) {
    try {
      const t = decode(y).type;
      if (t === 'partialSignature' || t === 'musigPartialSignature') n++;
    } catch {
      n++;
    }
  }
  return n;
}

/** A request that never gets an answer within this long is a hang (a watchdog, not a speed check). */
const HANG_MS = 30_000;
/** Client commands one case may answer; a device that keeps asking beyond is stuck in a loop. */
const MAX_EXCHANGES = 20_000;

export class FuzzSession {
  readonly device: EmulatedDevice;
  readonly person = new Person();
  readonly transport: LoopbackTransport;
  apdus = 0;

  constructor(readonly target: FuzzTarget) {
    this.device = new EmulatedDevice({ apps: { [target.appName]: this.person.wrap(target.create) }, startApp: target.appName, statusTimeoutMs: 0 });
    this.person.device = this.device;
    this.transport = new LoopbackTransport(this.device);
  }

  /** One APDU over the loopback transport; no answer within HANG_MS is a hang. */
  async exchange(apdu: Uint8Array): Promise<Uint8Array> {
    this.apdus++;
    try {
      return await this.transport.exchange(apdu, { timeoutMs: HANG_MS });
    } catch (e) {
      if (isTaprootHwError(e, 'E_TIMEOUT')) throw new HangError(`no answer to ${toHex(apdu).slice(0, 80)} within ${HANG_MS} ms`);
      throw e;
    }
  }

  /** Runs `served` with honest answers and every review approved. */
  async runHonest(served: Served): Promise<Outcome> {
    const before = this.person.decide;
    this.person.decide = () => true;
    try {
      const it = new ClientCommandInterpreter();
      served.serve(it);
      const responses: Uint8Array[] = [];
      let apdu: CommandApdu | undefined = served.command;
      let res!: { statusWord: number; data: Uint8Array };
      while (apdu) {
        res = decodeResponse(await this.exchange(encodeCommand(apdu)));
        for (let n = 0; res.statusWord === SW_INTERRUPTED_EXECUTION && n < MAX_EXCHANGES; n++)
          res = decodeResponse(await this.exchange(encodeCommand(continueCommand(it.execute(res.data)))));
        responses.push(res.data.slice());
        apdu = res.statusWord === 0x9000 ? served.next?.(res.data) : undefined;
      }
      return { statusWord: res.statusWord, data: res.data.slice(), yields: it.yielded, responses };
    } finally {
      this.person.decide = before;
    }
  }

  /** The app closed and opened again: its RAM state is gone (NVRAM stays). */
  restartApp(): void {
    this.device.quitApp();
    this.device.openApp(this.target.appName);
  }
}

class HangError extends Error {
  override readonly name = 'HangError';
}

export interface CampaignOptions {
  seed: number;
  /** Cases to run (an upper bound when `maxApdus` or `deadline` stops the run first). */
  cases: number;
  /** Stop once this many APDUs were exchanged. */
  maxApdus?: number;
  /** Stop at this time (performance.now() milliseconds). */
  deadline?: number;
  /** Run an honest scenario and compare with the fresh device every this many cases. */
  leakEvery?: number;
  /** Stop at the first violation (tests) or collect them all (campaigns). */
  stopOnViolation?: boolean;
  onProgress?: (stats: FuzzStats) => void;
}

type Honest = { statusWord: number; kinds: string; answers: string; prompts: number };

function describeOutcome(o: Outcome, prompts: number): Honest {
  return { statusWord: o.statusWord, kinds: o.yields.map((y) => toHex(y.subarray(0, 1))).join(','), answers: o.responses.map((r) => r.length).join(','), prompts };
}

export async function runCampaign(target: FuzzTarget, rng: Rng, options: CampaignOptions): Promise<FuzzStats> {
  const started = performance.now();
  const session = new FuzzSession(target);
  const stats: FuzzStats = {
    target: target.name,
    seed: options.seed,
    cases: 0,
    apdus: 0,
    statusWords: {},
    reviewsShown: 0,
    reviewsApproved: 0,
    signatures: 0,
    signaturesBy: {},
    leakChecks: 0,
    violations: [],
    rssMb: [],
    seconds: 0,
  };
  const fail = (v: Violation): void => {
    stats.violations.push(v);
    if (options.stopOnViolation) throw new Error(`fuzz ${target.name} case ${v.case} (${v.scenario}): ${v.kind}: ${v.message}`);
  };
  const sampleRss = () => stats.rssMb.push(Math.round(process.memoryUsage().rss / 2 ** 20));

  // The fresh device's honest outcomes, for the state-leak check.
  const baseline = new Map<string, Honest>();
  const leakScenarios = target.scenarios.filter((s) => !s.stateful);
  for (const s of leakScenarios) baseline.set(s.name, await honestOutcome(session, s));
  sampleRss();

  const leakEvery = options.leakEvery ?? 50;
  for (let n = 0; n < options.cases; n++) {
    if ((options.maxApdus !== undefined && session.apdus >= options.maxApdus) || (options.deadline !== undefined && performance.now() >= options.deadline)) break;
    const scenario = rng.pick(target.scenarios);
    try {
      await fuzzCase(session, scenario, rng, n, stats, fail);
      if ((n + 1) % leakEvery === 0) {
        const s = leakScenarios[stats.leakChecks % leakScenarios.length]!;
        stats.leakChecks++;
        const got = await honestOutcome(session, s);
        const want = baseline.get(s.name)!;
        if (JSON.stringify(got) !== JSON.stringify(want))
          fail({ case: n, scenario: s.name, kind: 'state-leak', message: `honest run after case ${n}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}` });
      }
    } catch (e) {
      if (e instanceof HangError) fail({ case: n, scenario: scenario.name, kind: 'hang', message: e.message });
      else if (options.stopOnViolation) throw e;
      // A fault in an honest run (MuSig2 round 1 before a round 2, a leak check) or a fuzzer bug.
      else fail({ case: n, scenario: scenario.name, kind: 'fault', message: (e as Error)?.stack ?? String(e) });
    }
    stats.cases++;
    if ((n + 1) % 1000 === 0) {
      sampleRss();
      stats.apdus = session.apdus;
      stats.seconds = (performance.now() - started) / 1000;
      options.onProgress?.(stats);
    }
  }
  sampleRss();
  stats.apdus = session.apdus;
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}

/** The same honest request every time (its own fixed-seed choices), so outcomes compare. */
async function honestOutcome(session: FuzzSession, scenario: Scenario): Promise<Honest> {
  const served = await scenario.build(prng(0x1ea4), false, session);
  const before = session.person.prompts.length;
  const outcome = await session.runHonest(served);
  const honest = describeOutcome(outcome, session.person.prompts.length - before);
  const faults = [...session.person.faults];
  session.person.forget();
  if (faults.length > 0) throw new Error(`honest ${scenario.name}: internal fault ${(faults[0] as Error)?.stack ?? String(faults[0])}`);
  return honest;
}

/** How the host tampers with answers in this case: never, or each answer with probability `rate`, at most `max` times. */
interface TransportPlan {
  rate: number;
  max: number;
}

function transportPlan(rng: Rng): { semantic: boolean; transport: TransportPlan } {
  const mode = rng.below(10);
  // 1 in 10 honest (reaches signing), 4 semantic only, 3 transport only, 2 both
  const semantic = mode >= 1 && mode <= 4 ? true : mode >= 8;
  const transport = mode >= 5 ? { rate: 1 / (1 + rng.below(30)), max: 1 + rng.below(3) } : { rate: 0, max: 0 };
  return { semantic, transport };
}

/** Byte offsets that carry a length or count in the client-command answers (interrupt.ts). */
const COUNT_OFFSETS = [0, 1, 2, 32, 33];

function tamper(rng: Rng, honest: Uint8Array | undefined, previous: readonly Uint8Array[]): Uint8Array | undefined {
  const kind = honest ? rng.below(6) : 1 + rng.below(4);
  switch (kind) {
    case 0:
      return mutateBytes(rng, honest!);
    case 1: // an answer of an earlier request (order)
      return previous.length > 0 ? rng.pick(previous) : new Uint8Array();
    case 2:
      return new Uint8Array();
    case 3:
      return rng.bytes(rng.below(MAX_APDU_DATA + 1));
    case 4: // the host stops answering
      return undefined;
    default: {
      const out = Uint8Array.from(honest!);
      const offsets = COUNT_OFFSETS.filter((o) => o < out.length);
      if (offsets.length > 0) {
        const at = rng.pick(offsets);
        out[at] = rng.chance(0.5) ? (out[at]! + (rng.chance(0.5) ? 1 : 255)) & 0xff : rng.u32() & 0xff;
      }
      return out;
    }
  }
}

async function fuzzCase(
  session: FuzzSession,
  scenario: Scenario,
  rng: Rng,
  n: number,
  stats: FuzzStats,
  fail: (v: Violation) => void,
): Promise<void> {
  const { person, target } = session;
  const plan = transportPlan(rng);
  const approveRate = rng.chance(0.8) ? 1 : rng.chance(0.5) ? 0.5 : 0;
  person.decide = () => rng.chance(approveRate);
  const faultsBefore = person.faults.length;
  let served: Served;
  try {
    served = await scenario.build(rng, plan.semantic, session);
  } catch (e) {
    // The host's own encoders refuse a request the mutation made unsendable (a typed RangeError,
    // e.g. an empty asset): nothing reaches the device. Anything else is a fuzzer bug.
    if (!isTypedError(e)) throw e;
    stats.statusWords['host-refused'] = (stats.statusWords['host-refused'] ?? 0) + 1;
    for (const f of person.faults.slice(faultsBefore))
      fail({ case: n, scenario: scenario.name, kind: 'fault', message: (f as Error)?.stack ?? String(f) });
    person.forget();
    return;
  }
  const promptsBefore = person.prompts.length;
  const command = person.commands;

  const it = new ClientCommandInterpreter();
  served.serve(it);
  const sent: Uint8Array[] = [];
  let tampered = 0;
  let abandoned = false;
  /** Signature-carrying YIELDs seen before any review of this command was approved. */
  let yieldsBeforeApproval = 0;
  const responses: Uint8Array[] = [];
  let apdu: CommandApdu | undefined = served.command;
  let res: { statusWord: number; data: Uint8Array } | undefined;
  let exchanges = 0;
  /** The current APDU is another command sent in between (its answer is not the command's). */
  let foreign = false;
  while (apdu) {
    res = await exchangeChecked(session, encodeCommand(apdu), n, scenario, fail);
    while (res && res.statusWord === SW_INTERRUPTED_EXECUTION) {
      if (++exchanges > MAX_EXCHANGES) {
        fail({ case: n, scenario: scenario.name, kind: 'hang', message: `the device asked more than ${MAX_EXCHANGES} client commands` });
        abandoned = true;
        break;
      }
      const approvedSoFar = person.promptsOf(command).some((p) => p.kind === 'review' && p.approved);
      let honest: Uint8Array | undefined;
      try {
        honest = it.execute(res.data);
      } catch (e) {
        if (!isTaprootHwError(e, 'E_CLIENT_COMMAND'))
          fail({ case: n, scenario: scenario.name, kind: 'host-interpreter', message: `the host's interpreter threw ${(e as Error).name} on ${toHex(res.data).slice(0, 80)}: ${(e as Error).message}` });
      }
      if (!approvedSoFar && isYield(res.data) && target.signatures(served.command, [res.data.subarray(1)], 0x9000, []) > 0) yieldsBeforeApproval++;
      let answer = honest;
      if (honest === undefined || (tampered < plan.transport.max && rng.chance(plan.transport.rate))) {
        if (honest !== undefined) tampered++;
        answer = tamper(rng, honest, sent);
      }
      if (answer === undefined) {
        abandoned = true;
        break;
      }
      answer = answer.subarray(0, MAX_APDU_DATA);
      sent.push(answer);
      res = await exchangeChecked(session, encodeCommand(continueCommand(answer)), n, scenario, fail);
    }
    if (!res || abandoned) break;
    if (!foreign) responses.push(res.data.slice());
    if (res.statusWord !== 0x9000 || !served.next) break;
    const next = nextApdu(session, served, res.data, apdu, rng, tampered < plan.transport.max ? plan.transport.rate : 0);
    if (next.tampered) tampered++;
    if (next.abandoned) abandoned = true;
    foreign = next.foreign ?? false;
    apdu = next.apdu;
  }

  if (res && !abandoned) {
    const sw = res.statusWord.toString(16).padStart(4, '0');
    stats.statusWords[sw] = (stats.statusWords[sw] ?? 0) + 1;
    const prompts = person.prompts.slice(promptsBefore);
    const reviewed = prompts.some((p) => p.kind === 'review' && p.approved);
    const signed = target.signatures(served.command, it.yielded, res.statusWord, responses);
    stats.signatures += signed;
    if (signed > 0) stats.signaturesBy[scenario.name] = (stats.signaturesBy[scenario.name] ?? 0) + signed;
    if (signed > 0 && !reviewed)
      fail({ case: n, scenario: scenario.name, kind: 'unreviewed-signature', message: `${signed} signature(s) with no approved review (status ${sw})` });
  } else stats.statusWords.abandoned = (stats.statusWords.abandoned ?? 0) + 1;
  if (yieldsBeforeApproval > 0)
    fail({ case: n, scenario: scenario.name, kind: 'unreviewed-signature', message: `${yieldsBeforeApproval} signature yield(s) before the review was approved` });

  const prompts = person.prompts.slice(promptsBefore);
  stats.reviewsShown += prompts.filter((p) => p.kind === 'review').length;
  stats.reviewsApproved += prompts.filter((p) => p.kind === 'review' && p.approved).length;

  // The device still answers, and a command the host abandoned ends with the next APDU.
  let alive = false;
  let last = '';
  for (let i = 0; i < 2 && !alive; i++) {
    last = toHex(await session.exchange(target.probe.command));
    alive = last === target.probe.answer;
  }
  if (!alive) fail({ case: n, scenario: scenario.name, kind: 'dead', message: `probe ${toHex(target.probe.command)}: expected ${target.probe.answer}, got ${last}` });
  // Faults of the case, including those of an abandoned command ended by the probe.
  for (const e of person.faults.slice(faultsBefore))
    fail({ case: n, scenario: scenario.name, kind: 'fault', message: (e as Error)?.stack ?? String(e) });
  person.forget();
  // The person reads only the current screen; the history (capped at 100,000 events for Speculos
  // clients) would otherwise hold the last few thousand cases' screens and keep RSS rising for hours.
  session.device.clearEvents();
}

/**
 * The next APDU of a command sent as several (Served.next), or with probability `rate` a transport
 * fault in the sequence: an APDU dropped, sent twice, altered, another command sent in between (the
 * probe, which ends the command on the device), or the rest never sent.
 */
function nextApdu(
  session: FuzzSession,
  served: Served,
  data: Uint8Array,
  previous: CommandApdu,
  rng: Rng,
  rate: number,
): { apdu: CommandApdu | undefined; tampered?: boolean; abandoned?: boolean; foreign?: boolean } {
  if (!rng.chance(rate)) return { apdu: served.next!(data) };
  switch (rng.below(5)) {
    case 0: // dropped
      served.next!(data);
      return { apdu: served.next!(data), tampered: true };
    case 1:
      return { apdu: previous, tampered: true };
    case 2: {
      const apdu = served.next!(data);
      return { apdu: apdu && { ...apdu, data: mutateBytes(rng, apdu.data).subarray(0, MAX_APDU_DATA) }, tampered: true };
    }
    case 3:
      return { apdu: decodeCommand(session.target.probe.command), tampered: true, foreign: true };
    default:
      return { apdu: undefined, abandoned: served.next!(data) !== undefined };
  }
}

function isYield(request: Uint8Array): boolean {
  try {
    return decodeClientCommandRequest(request).command === 'YIELD';
  } catch {
    return false;
  }
}

async function exchangeChecked(
  session: FuzzSession,
  apdu: Uint8Array,
  n: number,
  scenario: Scenario,
  fail: (v: Violation) => void,
): Promise<{ statusWord: number; data: Uint8Array } | undefined> {
  const answer = await session.exchange(apdu);
  if (answer.length < 2) {
    fail({ case: n, scenario: scenario.name, kind: 'no-status-word', message: `${toHex(apdu).slice(0, 80)} answered ${toHex(answer)}` });
    return undefined;
  }
  return decodeResponse(answer);
}
