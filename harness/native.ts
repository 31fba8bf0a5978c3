// The `native` backend: the Taproot Assets app's C core (firmware/tap-app) built for this machine and
// run as a process behind a pipe (firmware/tap-app/native/app_port.c), so the conformance suite runs
// against the firmware's own code in CI, where the Ledger SDK is not available. Its reviews arrive as
// data and are laid out as a Nano S Plus shows them (one page per pair, the finish page, the reject
// page), so approve()/reject() walk them with the same navigators as the emulator and Speculos.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnemonicToSeedSync } from '@scure/bip39';
import { toHex } from '../apdu/bytes.ts';
import { getModel } from '../devices/models.ts';
import { TransportError, transportErrors } from '../devices/errors.ts';
import type { Transport } from '../devices/transport.ts';
import { SPECULOS_DEFAULT_MNEMONIC } from '../emulator/index.ts';
import type { Screen, TextEvent } from './backend.ts';
import { HarnessError } from './errors.ts';
import { ScreenBackend } from './remote.ts';

const SOURCE = fileURLToPath(new URL('../firmware/tap-app', import.meta.url));

/** Why the native app cannot be built here, or undefined (the tools firmware/README.md lists). */
export function nativeAppUnavailableReason(): string | undefined {
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  if (!existsSync(join(SOURCE, 'CMakeLists.txt'))) return 'firmware/tap-app is not in this checkout';
  if (!ok('cmake', ['--version'])) return 'cmake is absent';
  // cmake finds the compiler only when configuring: without one the build fails instead of skipping.
  if (!ok(process.env.CC ?? 'cc', ['--version'])) return 'no C compiler (cc; Debian: gcc)';
  if (!ok('pkg-config', ['--version'])) return 'pkg-config is absent';
  for (const [pkg, deb] of [['cmocka', 'libcmocka-dev'], ['libcrypto', 'libssl-dev'], ['libsecp256k1', 'libsecp256k1-dev']])
    if (!ok('pkg-config', ['--exists', pkg!])) return `${pkg} is absent (Debian: ${deb})`;
  return undefined;
}

let built: { dir: string; binary: string } | undefined;

/** Builds tap_app_port once per process (without sanitizers: a test backend, not a test of the core). */
function buildNativeApp(): string {
  if (built) return built.binary;
  const dir = mkdtempSync(join(tmpdir(), 'taproot-hw-native-app-'));
  const run = (args: string[]) => {
    const r = spawnSync('cmake', args, { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (r.status !== 0) throw new HarnessError('E_BACKEND_CAPABILITY', `native backend: expected cmake ${args.join(' ')} to build the app, got:\n${r.stdout}${r.stderr}`);
  };
  run(['-S', SOURCE, '-B', dir, '-DTAP_SANITIZE=OFF', '-DCMAKE_BUILD_TYPE=Release']);
  run(['--build', dir, '--target', 'tap_app_port', '--parallel', '2']);
  built = { dir, binary: join(dir, 'tap_app_port') };
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return built.binary;
}

interface Review {
  pages: TextEvent[][];
  /** The approve and reject pages; a streaming step has neither: right on its last page passes it. */
  finish: number;
  reject: number;
}

const event = (text: string, y: number): TextEvent => ({ text, x: 0, y, w: 128, h: 14, clear: false });
const HOME = [event('Taproot Assets', 20), event('app is ready', 36)];

/** The strings of a review frame, each `len:u16be || UTF-8`. */
function strings(payload: Uint8Array): string[] {
  const out: string[] = [];
  const decoder = new TextDecoder();
  for (let at = 0; at < payload.length; ) {
    const n = (payload[at]! << 8) | payload[at + 1]!;
    out.push(decoder.decode(payload.subarray(at + 2, at + 2 + n)));
    at += 2 + n;
  }
  return out;
}

/** Frames `kind:u8 || len:u16be || payload` (app_port.c). */
function frame(kind: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + payload.length);
  out[0] = kind.charCodeAt(0);
  out[1] = payload.length >> 8;
  out[2] = payload.length & 0xff;
  out.set(payload, 3);
  return out;
}

export interface NativeAppOptions {
  /** BIP-39 mnemonic of the seed; default Speculos's. */
  mnemonic?: string;
  blindSigning?: boolean;
  /**
   * The person approves every review and streaming step without paging (the emulator's autoApprove):
   * for counting exchanges of long reviews; the pages are not shown.
   */
  approveAll?: boolean;
}

export class NativeAppBackend extends ScreenBackend {
  readonly kind = 'native';
  readonly transport: Transport;
  readonly screen: Screen;
  private child!: ChildProcessWithoutNullStreams;
  private buffer = new Uint8Array();
  private pending: { resolve(r: Uint8Array): void; reject(e: Error): void } | undefined;
  private review: Review | undefined;
  private page = 0;
  private exited: Error | undefined;

  private constructor(private readonly options: NativeAppOptions) {
    super(getModel('nanosp'));
    const self = this;
    this.transport = {
      kind: 'native',
      get busy() {
        return self.pending !== undefined;
      },
      exchange: (apdu) => this.exchange(apdu),
      close: async () => {},
      onDisconnect: () => () => {},
    };
    this.screen = {
      current: async () => (this.review ? this.review.pages[this.page]! : HOME),
      press: async (button) => this.press(button),
      touch: async () => {
        throw new HarnessError('E_BACKEND_CAPABILITY', 'native backend: a Nano S Plus has no touch screen');
      },
      screenshot: async () => {
        throw new HarnessError('E_BACKEND_CAPABILITY', 'native backend: no screenshots, the review is data');
      },
    };
  }

  static start(options: NativeAppOptions = {}): NativeAppBackend {
    const backend = new NativeAppBackend(options);
    backend.boot();
    return backend;
  }

  private boot(): void {
    const seed = toHex(mnemonicToSeedSync(this.options.mnemonic ?? SPECULOS_DEFAULT_MNEMONIC));
    this.child = spawn(buildNativeApp(), [seed, ...(this.options.blindSigning ? ['--blind-signing'] : [])]);
    this.exited = undefined;
    this.buffer = new Uint8Array();
    this.review = undefined;
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.on('exit', (code, signal) => {
      const exited = new TransportError('E_DISCONNECTED', `native app: exited (${signal ?? code})`);
      this.exited = exited;
      this.pending?.reject(exited);
      this.pending = undefined;
    });
  }

  private exchange(apdu: Uint8Array): Promise<Uint8Array> {
    if (this.exited) return Promise.reject(this.exited);
    if (this.pending) return Promise.reject(transportErrors.busy('native'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.stdin.write(frame('A', apdu));
    });
  }

  private receive(chunk: Uint8Array): void {
    const merged = new Uint8Array(this.buffer.length + chunk.length);
    merged.set(this.buffer);
    merged.set(chunk, this.buffer.length);
    this.buffer = merged;
    while (this.buffer.length >= 3) {
      const len = (this.buffer[1]! << 8) | this.buffer[2]!;
      if (this.buffer.length < 3 + len) return;
      const kind = String.fromCharCode(this.buffer[0]!);
      const payload = this.buffer.slice(3, 3 + len);
      this.buffer = this.buffer.slice(3 + len);
      if (this.options.approveAll && 'VSCF'.includes(kind)) this.child.stdin.write(frame('D', Uint8Array.of(1)));
      else if (kind === 'V') this.showReview(payload);
      else if (kind === 'S' || kind === 'C' || kind === 'F') this.showStreamStep(kind, payload);
      else if (kind === 'X') this.review = undefined;
      else {
        const p = this.pending;
        this.pending = undefined;
        p?.resolve(payload);
      }
    }
  }

  /** Nano S Plus layout: the intro, one page per pair, the finish page, the reject page. */
  private showReview(payload: Uint8Array): void {
    const [intro, finish, , , , reject, ...pairs] = strings(payload);
    const pages: TextEvent[][] = [[event(intro!, 28)]];
    for (let i = 0; i < pairs.length; i += 2) pages.push([event(pairs[i]!, 4), event(pairs[i + 1]!, 20)]);
    pages.push([event(finish!, 28)], [event(reject!, 28)]);
    this.review = { pages, finish: pages.length - 2, reject: pages.length - 1 };
    this.page = 0;
  }

  /**
   * A streaming review's step, as NBGL lays it out on a Nano: start (the intro, then each declared
   * warning) and continue (a page per pair) pass with right on their last page, with no reject
   * before the finish; finish is the approve page and the reject page.
   */
  private showStreamStep(kind: 'S' | 'C' | 'F', payload: Uint8Array): void {
    const s = strings(payload);
    const pairPages = (pairs: string[]) => Array.from({ length: pairs.length / 2 }, (_, i) => [event(pairs[2 * i]!, 4), event(pairs[2 * i + 1]!, 20)]);
    if (kind === 'F') {
      this.review = { pages: [[event(s[0]!, 28)], [event(s[4]!, 28)]], finish: 0, reject: 1 };
    } else {
      const pages = kind === 'S' ? [[event(s[0]!, 28)], ...pairPages(s.slice(2))] : pairPages(s.slice(1));
      this.review = { pages, finish: -1, reject: -1 };
    }
    this.page = 0;
  }

  private press(button: 'left' | 'right' | 'both'): void {
    const review = this.review;
    if (!review) return;
    if (button === 'right' && review.finish === -1 && this.page === review.pages.length - 1) {
      // The last page of a streaming step: passing it lets the app read on; it stays on screen until the next step.
      this.review = { ...review, pages: [review.pages[this.page]!], finish: -2, reject: -2 };
      this.page = 0;
      this.child.stdin.write(frame('D', Uint8Array.of(1)));
    } else if (button === 'right') this.page = Math.min(this.page + 1, review.pages.length - 1);
    else if (button === 'left') this.page = Math.max(this.page - 1, 0);
    else if (this.page === review.finish || this.page === review.reject) {
      this.review = undefined;
      this.child.stdin.write(frame('D', Uint8Array.of(this.page === review.finish ? 1 : 0)));
    }
  }

  async reset(): Promise<void> {
    await this.close();
    this.boot();
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end();
    this.child.kill();
    await gone;
  }
}
