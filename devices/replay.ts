// APDU transcripts in Ledger's "=> / <=" text form (hw-transport-mocker's RecordStore; the format of
// test/vectors/speculos-corpus/*.apdus): `=> <command hex>` then `<= <response hex incl. SW>`, one message a
// line. Blank lines and `#` comments are skipped. ReplayTransport plays a transcript back as a device
// would; TranscriptRecorder writes one while any transport runs.

import { fromHex, toHex } from '../apdu/bytes.ts';
import type { ExchangeOptions, Transport } from './transport.ts';
import { GuardedTransport } from './guarded.ts';
import { TransportError } from './errors.ts';

/** One command and the answer recorded for it, with their 1-based line numbers in the text. */
export interface TranscriptExchange {
  command: Uint8Array;
  response: Uint8Array;
  commandLine: number;
  responseLine: number;
}

const transcriptError = (line: number, detail: string) => new TransportError('E_TRANSCRIPT', `transcript line ${line}: ${detail}`);

/** A command that differs from the transcript's next `=>` line (or comes after its end). */
export class ReplayMismatchError extends TransportError {
  constructor(
    /** Line of the expected `=>` command, or the line after the last one when the transcript is used up. */
    readonly line: number,
    /** Expected command hex, or '' when the transcript is used up. */
    readonly expected: string,
    readonly got: string,
  ) {
    super(
      'E_REPLAY_MISMATCH',
      expected === ''
        ? `replay: transcript ended at line ${line - 1}, got another command ${got}`
        : `replay line ${line}: expected command ${expected}, got ${got}`,
    );
  }
}

export function parseTranscript(text: string): TranscriptExchange[] {
  const out: TranscriptExchange[] = [];
  let pending: { command: Uint8Array; line: number } | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    const m = /^(=>|<=)\s*([0-9a-fA-F]*)$/.exec(s);
    if (!m) throw transcriptError(line, `expected "=> hex" or "<= hex", got ${JSON.stringify(s.slice(0, 60))}`);
    const hex = m[2]!;
    if (hex.length % 2 !== 0) throw transcriptError(line, `expected an even number of hex digits, got ${hex.length}`);
    const bytes = fromHex(hex);
    if (m[1] === '=>') {
      if (pending) throw transcriptError(line, `expected "<=" answering line ${pending.line}, got "=>"`);
      pending = { command: bytes, line };
    } else {
      if (!pending) throw transcriptError(line, 'expected "=>" before a "<=" line, got "<=" with no command');
      if (bytes.length < 2) throw transcriptError(line, `expected a response of data || SW (at least 2 bytes), got ${bytes.length}`);
      out.push({ command: pending.command, response: bytes, commandLine: pending.line, responseLine: line });
      pending = undefined;
    }
  });
  if (pending) throw transcriptError(pending.line, 'expected "<=" answering this command, got end of transcript');
  return out;
}

export function formatTranscript(exchanges: readonly Pick<TranscriptExchange, 'command' | 'response'>[]): string {
  return exchanges.map((e) => `=> ${toHex(e.command)}\n<= ${toHex(e.response)}\n`).join('');
}

/** Answers each command with the recorded response, after checking it is the recorded command. */
export class ReplayTransport extends GuardedTransport {
  readonly kind = 'replay';
  readonly exchanges: readonly TranscriptExchange[];
  private position = 0;

  constructor(transcript: string | readonly TranscriptExchange[]) {
    super();
    this.exchanges = typeof transcript === 'string' ? parseTranscript(transcript) : transcript.slice();
  }

  /** Number of exchanges replayed so far. */
  get played(): number {
    return this.position;
  }

  get done(): boolean {
    return this.position === this.exchanges.length;
  }

  /** Throws unless every recorded exchange was replayed. */
  assertDone(): void {
    const next = this.exchanges[this.position];
    if (next) throw new ReplayMismatchError(next.commandLine, toHex(next.command), '(no more commands)');
  }

  protected async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const next = this.exchanges[this.position];
    const got = toHex(apdu);
    if (!next) {
      const last = this.exchanges[this.exchanges.length - 1];
      throw new ReplayMismatchError((last?.responseLine ?? 0) + 1, '', got);
    }
    const expected = toHex(next.command);
    if (expected !== got) throw new ReplayMismatchError(next.commandLine, expected, got);
    this.position++;
    return next.response.slice();
  }

  protected async release(): Promise<void> {}
}

/** Wraps a transport and keeps every completed exchange, to be written out as a transcript. */
export class TranscriptRecorder implements Transport {
  private readonly log: { command: Uint8Array; response: Uint8Array }[] = [];

  constructor(readonly inner: Transport) {}

  get kind(): string {
    return this.inner.kind;
  }

  get busy(): boolean {
    return this.inner.busy;
  }

  async exchange(apdu: Uint8Array, options?: ExchangeOptions): Promise<Uint8Array> {
    const command = apdu.slice();
    const response = await this.inner.exchange(apdu, options);
    this.log.push({ command, response: response.slice() });
    return response;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  onDisconnect(listener: (reason?: Error) => void): () => void {
    return this.inner.onDisconnect(listener);
  }

  get exchanges(): readonly { command: Uint8Array; response: Uint8Array }[] {
    return this.log;
  }

  /** The transcript so far in "=> / <=" form, one message per line. */
  transcript(): string {
    return formatTranscript(this.log);
  }
}
