// A small stand-in for the emulated device, enough to drive the Bitcoin app directly in unit
// tests: an AppContext over the default Speculos seed that records every review and answers it as
// told, Speculos's deterministic randomness (glibc rand() & 0xff after srand(seed)), and a driver
// that exchanges APDUs with app.handle() including client-command interrupts.

import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { decodeCommand, type CommandApdu } from '../../../apdu/apdu.ts';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { MODELS, type ModelId } from '../../../devices/models.ts';
import type { AppContext, CommandIO, DeviceApp } from '../../../emulator/app.ts';
import type { ReviewFlow, WarningPage } from '../../../emulator/ui/review.ts';

export const SPECULOS_SEED =
  'glory promote mansion idle axis finger extra february uncover one trip resource lawn turtle enact monster seven myth punch hobby comfort wild raise skin';

/** glibc random(3) TYPE_3 (the additive feedback generator behind rand()), seeded as srand(seed). */
export function glibcRand(seed: number): () => number {
  const r: number[] = [seed | 0];
  for (let i = 1; i < 31; i++) {
    const hi = Math.trunc(r[i - 1]! / 127773);
    const lo = r[i - 1]! % 127773;
    let word = 16807 * lo - 2836 * hi;
    if (word < 0) word += 2147483647;
    r.push(word);
  }
  for (let i = 31; i < 34; i++) r.push(r[i - 31]!);
  let k = 34;
  const next = (): number => {
    const v = (r[k - 31]! + r[k - 3]!) | 0;
    r[k] = v;
    k++;
    return v >>> 1;
  };
  for (let i = 0; i < 310; i++) next();
  return next;
}

export interface TestContext extends AppContext {
  reviews: ReviewFlow[];
  warnings: WarningPage[];
  /** Answers for the next reviews/warnings, in order; approve when empty. */
  answers: boolean[];
}

export function testContext(opts: { model?: ModelId; mnemonic?: string; rngSeed?: number; rngSkip?: number } = {}): TestContext {
  const model = MODELS[opts.model ?? 'nanosp'];
  const seed = mnemonicToSeedSync(opts.mnemonic ?? SPECULOS_SEED);
  const rand = opts.rngSeed === undefined ? undefined : glibcRand(opts.rngSeed);
  for (let i = 0; rand && i < (opts.rngSkip ?? 0); i++) rand();
  const ctx: TestContext = {
    model,
    family: model.input === 'touch' ? 'touch' : 'nano',
    master: HDKey.fromMasterSeed(seed),
    seed,
    random: (n) => {
      const out = new Uint8Array(n);
      if (rand) for (let i = 0; i < n; i++) out[i] = rand() & 0xff;
      else crypto.getRandomValues(out);
      return out;
    },
    nvram: new Map(),
    settings: { blindSigning: false },
    reviews: [],
    warnings: [],
    answers: [],
    review: async (flow) => {
      ctx.reviews.push(flow);
      return ctx.answers.shift() ?? true;
    },
    warn: async (page) => {
      ctx.warnings.push(page);
      return ctx.answers.shift() ?? true;
    },
    status: () => {},
    busy: () => {},
  };
  return ctx;
}

/** Exchanges raw APDUs with an app, one at a time, as a transport would. */
export class AppDriver {
  private waiting: ((cmd: CommandApdu) => void) | undefined;
  private deliver: ((response: Uint8Array) => void) | undefined;
  private readonly io: CommandIO = {
    respond: (response) =>
      new Promise<CommandApdu>((resolve) => {
        this.waiting = resolve;
        this.deliver!(response);
      }),
  };

  constructor(
    readonly app: DeviceApp,
    readonly ctx: AppContext,
  ) {}

  get busy(): boolean {
    return this.waiting !== undefined;
  }

  exchange(apdu: Uint8Array | string): Promise<Uint8Array> {
    let cmd: CommandApdu;
    try {
      cmd = decodeCommand(typeof apdu === 'string' ? fromHex(apdu) : apdu);
    } catch {
      // the OS-side APDU parser answers an inconsistent Lc with 6A87 (main.c apdu_parser)
      return Promise.resolve(Uint8Array.of(0x6a, 0x87));
    }
    return new Promise((resolve, reject) => {
      this.deliver = resolve;
      const w = this.waiting;
      if (w) {
        this.waiting = undefined;
        w(cmd);
      } else
        this.app.handle(cmd, this.io, this.ctx).then((final) => {
          this.waiting = undefined;
          this.deliver!(final);
        }, reject);
    });
  }

  async exchangeHex(apdu: string): Promise<string> {
    return toHex(await this.exchange(apdu));
  }
}

/** The "=> / <=" lines of a transcript as (host, device) pairs. */
export function transcriptPairs(text: string): { host: string; device: string }[] {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const out: { host: string; device: string }[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const h = lines[i]!;
    const d = lines[i + 1];
    if (!h.startsWith('=> ') || !d?.startsWith('<= ')) throw new Error(`transcript: expected "=>" then "<=" at line ${i + 1}`);
    out.push({ host: h.slice(3), device: d.slice(3) });
  }
  return out;
}
