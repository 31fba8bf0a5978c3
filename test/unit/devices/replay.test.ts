import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { formatTranscript, parseTranscript, ReplayTransport, TranscriptRecorder } from '../../../devices/replay.ts';

const corpus = new URL('../../vectors/speculos-corpus/', import.meta.url);
const files = ['nanosp', 'flex'].flatMap((model) =>
  readdirSync(new URL(`${model}/`, corpus))
    .filter((f) => f.endsWith('.apdus'))
    .map((f) => `${model}/${f}`),
);

describe('transcript parsing', () => {
  it('reads commands and answers with their line numbers, skipping blanks and comments', () => {
    const t = parseTranscript('# recorded\n=> b0010000\n<= 0105424f4c4f5305312e302e309000\n\n=> E105000000\r\n<= f5acc2fd9000\n');
    expect(t.map((e) => [toHex(e.command), toHex(e.response), e.commandLine, e.responseLine])).toEqual([
      ['b0010000', '0105424f4c4f5305312e302e309000', 2, 3],
      ['e105000000', 'f5acc2fd9000', 5, 6],
    ]);
    expect(formatTranscript(t)).toBe('=> b0010000\n<= 0105424f4c4f5305312e302e309000\n=> e105000000\n<= f5acc2fd9000\n');
  });

  const bad: [string, string][] = [
    ['=> b0010000\n<= 9000\n-> e1\n', 'transcript line 3: expected "=> hex" or "<= hex", got "-> e1"'],
    ['=> b001000\n', 'transcript line 1: expected an even number of hex digits, got 7'],
    ['\n<= 9000\n', 'transcript line 2: expected "=>" before a "<=" line, got "<=" with no command'],
    ['=> b0010000\n=> b0010000\n', 'transcript line 2: expected "<=" answering line 1, got "=>"'],
    ['=> b0010000\n<= 90\n', 'transcript line 2: expected a response of data || SW (at least 2 bytes), got 1'],
    ['=> b0010000\n<= 9000\n=> e105000000\n', 'transcript line 3: expected "<=" answering this command, got end of transcript'],
    ['=> b0010000\n<= 90zz\n', 'transcript line 2: expected "=> hex" or "<= hex", got "<= 90zz"'],
  ];
  it.each(bad)('refuses %j with the line number', (text, message) => {
    expect(() => parseTranscript(text)).toThrow(expect.objectContaining({ code: 'E_TRANSCRIPT', message }));
  });
});

describe('replay of the Speculos corpus', () => {
  it('has the corpus (both models)', () => {
    expect(files.length).toBe(34);
  });

  it.each(files)('%s: every recorded command gets its recorded answer, and recording reproduces the file', async (file) => {
    const text = readFileSync(new URL(file, corpus), 'utf8');
    const exchanges = parseTranscript(text);
    expect(exchanges.length).toBeGreaterThan(0);
    const replay = new ReplayTransport(text);
    const recorder = new TranscriptRecorder(replay);
    for (const e of exchanges) expect(toHex(await recorder.exchange(e.command))).toBe(toHex(e.response));
    expect(replay.done).toBe(true);
    replay.assertDone();
    expect(recorder.transcript()).toBe(text.endsWith('\n') ? text : `${text}\n`);
  });

  it.each(files)('%s: a wrong command gets ReplayMismatchError naming its line', async (file) => {
    const exchanges = parseTranscript(readFileSync(new URL(file, corpus), 'utf8'));
    const k = Math.floor(exchanges.length / 2);
    const replay = new ReplayTransport(exchanges);
    for (const e of exchanges.slice(0, k)) await replay.exchange(e.command);
    const wrong = exchanges[k]!.command.slice();
    wrong[wrong.length - 1]! ^= 0x01;
    await expect(replay.exchange(wrong)).rejects.toMatchObject({
      code: 'E_REPLAY_MISMATCH',
      line: exchanges[k]!.commandLine,
      expected: toHex(exchanges[k]!.command),
      got: toHex(wrong),
    });
    expect(replay.played).toBe(k);
    expect(() => replay.assertDone()).toThrow(expect.objectContaining({ code: 'E_REPLAY_MISMATCH', line: exchanges[k]!.commandLine }));
  });
});

describe('ReplayTransport ends and TranscriptRecorder', () => {
  it('a command past the end names the line after the transcript', async () => {
    const replay = new ReplayTransport('=> b0010000\n<= 9000\n');
    await replay.exchange(fromHex('b0010000'));
    await expect(replay.exchange(fromHex('b0010000'))).rejects.toMatchObject({
      code: 'E_REPLAY_MISMATCH',
      line: 3,
      expected: '',
      message: 'replay: transcript ended at line 2, got another command b0010000',
    });
  });

  it('records only completed exchanges and forwards state', async () => {
    let n = 0;
    const inner = new LoopbackTransport({
      exchange: async () => (n++ === 1 ? Promise.reject(new Error('device gone')) : fromHex('9000')),
    });
    const rec = new TranscriptRecorder(inner);
    await rec.exchange(fromHex('b0010000'));
    await expect(rec.exchange(fromHex('e105000000'))).rejects.toThrow('device gone');
    await rec.exchange(fromHex('b0a70000'));
    expect(rec.transcript()).toBe('=> b0010000\n<= 9000\n=> b0a70000\n<= 9000\n');
    expect(rec.kind).toBe('loopback');
    expect(rec.busy).toBe(false);
    const heard: unknown[] = [];
    rec.onDisconnect((r) => heard.push(r));
    await rec.close();
    expect(heard).toEqual([undefined]);
  });
});
