import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, utf8 } from '../../../apdu/bytes.ts';
import {
  encodeSpeculosRequest,
  encodeSpeculosResponse,
  SpeculosRequestReader,
  SpeculosResponseReader,
} from '../../../devices/framing/speculos-tcp.ts';
import {
  parseApduRequest,
  parseApduResponse,
  parseAutomationDocument,
  parseButtonRequest,
  parseEventsResponse,
  parseFingerRequest,
  parseTextEvent,
  parseTextEventMessage,
  parseTickerRequest,
  SseParser,
} from '../../../devices/framing/speculos-http.ts';

/** Every way of cutting `bytes` into two pieces, plus byte-by-byte. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let i = 0; i <= bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  out.push(Array.from(bytes, (b) => Uint8Array.of(b)));
  return out;
}

describe('Speculos TCP framing', () => {
  it('frames a request with its u32 BE length', () => {
    expect(toHex(encodeSpeculosRequest(fromHex('b0010000')))).toBe('00000004' + 'b0010000');
    expect(toHex(encodeSpeculosRequest(new Uint8Array()))).toBe('00000000');
  });

  it('frames a response with a length that excludes the status word', () => {
    // GET_MASTER_FINGERPRINT answer from the corpus: 4 data bytes + 9000.
    expect(toHex(encodeSpeculosResponse(fromHex('f5acc2fd9000')))).toBe('00000004' + 'f5acc2fd9000');
    expect(toHex(encodeSpeculosResponse(fromHex('6e00')))).toBe('00000000' + '6e00');
    expect(() => encodeSpeculosResponse(fromHex('90'))).toThrow(/at least 2 bytes\), got 1/);
  });

  const responses = ['f5acc2fd9000', '6e00', '01' + '0c' + toHex(utf8.encode('Bitcoin Test')) + '05' + toHex(utf8.encode('2.4.6')) + '0100' + '9000'];
  const responseStream = concat(...responses.map((r) => encodeSpeculosResponse(fromHex(r))));

  it('reassembles responses from every split of the stream', () => {
    for (const chunks of splits(responseStream)) {
      const reader = new SpeculosResponseReader();
      const got = chunks.flatMap((c) => reader.push(c)).map(toHex);
      expect(got).toEqual(responses);
      expect(reader.buffered).toBe(0);
    }
  });

  it('returns several responses coalesced in one read, and keeps a trailing partial one', () => {
    const reader = new SpeculosResponseReader();
    const cut = responseStream.length - 3;
    expect(reader.push(responseStream.subarray(0, cut)).map(toHex)).toEqual(responses.slice(0, 2));
    // The third frame is 4 + 24 bytes long; all but its last 3 bytes are buffered.
    expect(reader.buffered).toBe(4 + 24 - 3);
    expect(reader.push(responseStream.subarray(cut)).map(toHex)).toEqual(responses.slice(2));
  });

  it('reassembles requests from split and coalesced reads', () => {
    const requests = ['e105000000', 'b0010000', '', 'e1000000' + 'ff' + 'aa'.repeat(255)];
    const stream = concat(...requests.map((r) => encodeSpeculosRequest(fromHex(r))));
    for (const chunks of splits(stream).slice(0, 40)) {
      const reader = new SpeculosRequestReader();
      expect(chunks.flatMap((c) => reader.push(c)).map(toHex)).toEqual(requests);
    }
  });

  it('does not alias the caller buffer', () => {
    const chunk = encodeSpeculosRequest(fromHex('b0010000'));
    const [apdu] = new SpeculosRequestReader().push(chunk);
    chunk.fill(0);
    expect(toHex(apdu!)).toBe('b0010000');
  });

  it('refuses a length above the limit with SpeculosFramingError', () => {
    const reader = new SpeculosRequestReader(300);
    expect(() => reader.push(fromHex('0000012d'))).toThrow(
      expect.objectContaining({ code: 'E_SPECULOS_FRAMING', message: 'speculos request: expected a frame of at most 300 bytes, got length 301' }),
    );
    expect(reader.buffered).toBe(0);
    expect(() => new SpeculosResponseReader().push(fromHex('ffffffff'))).toThrow(expect.objectContaining({ code: 'E_SPECULOS_FRAMING' }));
  });
});

describe('Speculos REST DTOs', () => {
  const schemaError = (path: string) => expect.objectContaining({ code: 'E_SPECULOS_SCHEMA', path });

  it('POST /apdu body: data hex, optional tick_timeout, nothing else', () => {
    expect(parseApduRequest({ data: 'B0010000' })).toEqual({ data: 'B0010000' });
    expect(parseApduRequest({ data: 'b0010000', tick_timeout: 3000 })).toEqual({ data: 'b0010000', tick_timeout: 3000 });
    expect(() => parseApduRequest({ data: 'b001000' })).toThrow(schemaError('apdu.data'));
    expect(() => parseApduRequest({ data: '' })).toThrow(schemaError('apdu.data'));
    expect(() => parseApduRequest({ data: 'zz' })).toThrow(schemaError('apdu.data'));
    expect(() => parseApduRequest({})).toThrow(schemaError('apdu.data'));
    expect(() => parseApduRequest({ data: 'b0010000', extra: 1 })).toThrow(schemaError('apdu.extra'));
    expect(() => parseApduRequest({ data: 'b0010000', tick_timeout: '5' })).toThrow(schemaError('apdu.tick_timeout'));
    expect(() => parseApduRequest([])).toThrow(schemaError('apdu'));
    expect(() => parseApduRequest(null)).toThrow('apdu: expected an object, got null');
  });

  it('POST /apdu answer needs at least a status word', () => {
    expect(parseApduResponse({ data: '9000' })).toEqual({ data: '9000' });
    expect(() => parseApduResponse({ data: '90' })).toThrow(schemaError('apdu response.data'));
  });

  it('button and ticker bodies', () => {
    expect(parseButtonRequest({ action: 'press-and-release' })).toEqual({ action: 'press-and-release' });
    expect(parseButtonRequest({ action: 'press', delay: 0.5 })).toEqual({ action: 'press', delay: 0.5 });
    expect(() => parseButtonRequest({ action: 'click' })).toThrow(/button.action: expected one of "press", "release", "press-and-release", got "click"/);
    expect(() => parseButtonRequest({ action: 'press', delay: null })).toThrow(schemaError('button.delay'));
    expect(() => parseButtonRequest({ action: 'reset', x: 1 })).toThrow(schemaError('button.x'));
    expect(parseTickerRequest({ action: 'single-step' })).toEqual({ action: 'single-step' });
    expect(() => parseTickerRequest({ action: 'stop' })).toThrow(schemaError('ticker.action'));
  });

  it('finger body: non-negative integers, optional swipe end and delay', () => {
    expect(parseFingerRequest({ action: 'press-and-release', x: 239, y: 438 })).toEqual({ action: 'press-and-release', x: 239, y: 438 });
    expect(parseFingerRequest({ action: 'press', x: 1, y: 2, x2: 3, y2: 4, delay: 3 })).toEqual({ action: 'press', x: 1, y: 2, x2: 3, y2: 4, delay: 3 });
    expect(() => parseFingerRequest({ action: 'press', x: -1, y: 2 })).toThrow('finger.x: expected an integer >= 0, got number -1');
    expect(() => parseFingerRequest({ action: 'press', x: 1.5, y: 2 })).toThrow(schemaError('finger.x'));
    expect(() => parseFingerRequest({ action: 'press', x: 1 })).toThrow(schemaError('finger.y'));
  });

  it('text events and the events list; clear defaults to false for older Speculos', () => {
    const ev = { text: 'Bitcoin Test', x: 20, y: 10, w: 88, h: 12, clear: false };
    expect(parseTextEvent(ev)).toEqual(ev);
    expect(parseTextEvent({ text: 'is ready', x: 41, y: 28, w: 47, h: 12 })).toEqual({ text: 'is ready', x: 41, y: 28, w: 47, h: 12, clear: false });
    expect(parseEventsResponse({ events: [ev, ev] }).events).toHaveLength(2);
    expect(() => parseEventsResponse({ events: [ev, { ...ev, w: '88' }] })).toThrow(schemaError('events[1].w'));
    expect(() => parseTextEvent({ ...ev, clear: 1 })).toThrow(schemaError('event.clear'));
  });

  it('automation document v1: every rule and action checked', () => {
    const doc = {
      version: 1,
      rules: [
        { conditions: [['seen', false]], regexp: '^Approve', actions: [['button', 1, true], ['button', 1, false], ['setbool', 'seen', true]] },
        { text: 'Hold to sign', x: 136, y: 430, actions: [['finger', 136, 430, true]] },
        { actions: [['exit']] },
        {},
      ],
    };
    expect(parseAutomationDocument(JSON.stringify(doc))).toEqual(doc);
    expect(parseAutomationDocument(doc)).toEqual(doc);
    expect(() => parseAutomationDocument('file:rules.json')).toThrow(schemaError('automation'));
    expect(() => parseAutomationDocument('{"version":1,')).toThrow('automation: expected valid JSON');
    expect(() => parseAutomationDocument({ version: 2, rules: [] })).toThrow(schemaError('automation.version'));
    expect(() => parseAutomationDocument({ version: 1 })).toThrow(schemaError('automation.rules'));
    expect(() => parseAutomationDocument({ version: 1, rules: [], x: 1 })).toThrow(schemaError('automation.x'));
    const bad = (rule: unknown) => () => parseAutomationDocument({ version: 1, rules: [{}, rule] });
    expect(bad({ actions: [['button', 1]] })).toThrow(schemaError('automation.rules[1].actions[0]'));
    expect(bad({ actions: [['button', 1, 'yes']] })).toThrow(schemaError('automation.rules[1].actions[0][2]'));
    expect(bad({ actions: [['finger', 1, 2, true, 4]] })).toThrow(schemaError('automation.rules[1].actions[0]'));
    expect(bad({ actions: [['jump']] })).toThrow(schemaError('automation.rules[1].actions[0][0]'));
    expect(bad({ actions: [['exit', 1]] })).toThrow(schemaError('automation.rules[1].actions[0]'));
    expect(bad({ conditions: [['seen']] })).toThrow(schemaError('automation.rules[1].conditions[0]'));
    expect(bad({ regexp: '(' })).toThrow(schemaError('automation.rules[1].regexp'));
    expect(bad({ y: 'top' })).toThrow(schemaError('automation.rules[1].y'));
    expect(bad({ label: 'x' })).toThrow(schemaError('automation.rules[1].label'));
  });
});

describe('SSE parser', () => {
  const ev1 = { text: 'Review', x: 1, y: 2, w: 3, h: 4, clear: false };
  const ev2 = { text: 'Öffnen ✓', x: 5, y: 6, w: 7, h: 8, clear: false };
  const stream = utf8.encode(`\n: comment\ndata: ${JSON.stringify(ev1)}\n\ndata: ${JSON.stringify(ev2)}\n\n`);

  it('delivers each event whole whatever the chunking (including inside a UTF-8 sequence)', () => {
    for (const chunks of splits(stream)) {
      const parser = new SseParser();
      const events = chunks.flatMap((c) => parser.push(c)).map(parseTextEventMessage);
      expect(events).toEqual([ev1, ev2]);
    }
  });

  it('handles CRLF and CR line ends split across chunks, multi-line data, event and id fields', () => {
    const p = new SseParser();
    expect(p.push('event: screen\r')).toEqual([]);
    expect(p.push('\nid: 7\rdata: a\r\ndata:b\r')).toEqual([]);
    expect(p.push('\n\r\n')).toEqual([{ event: 'screen', data: 'a\nb', id: '7' }]);
    expect(p.push('data\n\n')).toEqual([{ event: 'message', data: '', id: '7' }]);
    expect(p.push('event: x\n\n')).toEqual([]);
  });

  it('holds an unterminated event back', () => {
    const p = new SseParser();
    expect(p.push('data: {"text":"a"')).toEqual([]);
    expect(p.push('}\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'message', data: '{"text":"a"}' }]);
  });

  it('names bad event data', () => {
    expect(() => parseTextEventMessage({ event: 'message', data: '{' })).toThrow(expect.objectContaining({ code: 'E_SPECULOS_SCHEMA' }));
  });
});
