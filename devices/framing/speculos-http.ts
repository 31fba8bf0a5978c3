// The Speculos REST API's data shapes (docs/architecture.md §5; speculos/api/resources/*.schema and
// speculos/mcu/resources/automation.schema), their validators, and a Server-Sent Events parser for
// GET /events?stream=true. The emulator's HTTP server validates requests with these, and our HTTP client
// validates what a server sends back, so both sides agree on one definition. Pure: no I/O, no node:*.

import { TaprootHwError } from '../../apdu/errors.ts';

/** A request or response body that does not match the Speculos schema; `path` names the faulty field. */
export class SpeculosSchemaError extends TaprootHwError {
  constructor(
    readonly path: string,
    expected: string,
    got: unknown,
  ) {
    super('E_SPECULOS_SCHEMA', `${path}: expected ${expected}, got ${describe(got)}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

type Json = Record<string, unknown>;

// `allowed` undefined: extra properties are tolerated (what a server sends back; newer Speculos versions
// add fields). Request bodies list their properties, as the schemas' additionalProperties: false does.
function object(value: unknown, path: string, allowed: readonly string[] | undefined, required: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SpeculosSchemaError(path, 'an object', value);
  const obj = value as Json;
  if (allowed) for (const key of Object.keys(obj))
    if (!allowed.includes(key)) throw new SpeculosSchemaError(`${path}.${key}`, `no such property (allowed: ${allowed.join(', ')})`, obj[key]);
  for (const key of required) if (!(key in obj)) throw new SpeculosSchemaError(`${path}.${key}`, 'a value (required)', undefined);
  return obj;
}

function integer(value: unknown, path: string, minimum?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || (minimum !== undefined && value < minimum))
    throw new SpeculosSchemaError(path, minimum === undefined ? 'an integer' : `an integer >= ${minimum}`, value);
  return value;
}

function number(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SpeculosSchemaError(path, 'a number', value);
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new SpeculosSchemaError(path, 'a boolean', value);
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new SpeculosSchemaError(path, 'a string', value);
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value))
    throw new SpeculosSchemaError(path, `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, value);
  return value as T;
}

// Only keys present in the input appear in the output, so `{delay: undefined}` never leaks into a DTO.
function optional<T>(obj: Json, key: string, read: (v: unknown, path: string) => T, path: string): { [k: string]: T } {
  return key in obj ? { [key]: read(obj[key], `${path}.${key}`) } : {};
}

export const PRESS_ACTIONS = ['press', 'release', 'press-and-release'] as const;
export type PressAction = (typeof PRESS_ACTIONS)[number];
export const BUTTONS = ['left', 'right', 'both'] as const;
export type ButtonName = (typeof BUTTONS)[number];
export const TICKER_ACTIONS = ['pause', 'resume', 'single-step'] as const;
export type TickerAction = (typeof TICKER_ACTIONS)[number];

/** POST /apdu body (apdu.schema). `data` is non-empty, even-length hex. */
export interface ApduRequest {
  data: string;
  /** Ticks before Speculos gives up waiting for the app (Speculos default 5 * 60 * 10). */
  tick_timeout?: number;
}

/** POST /apdu answer: the response `data || SW` as hex. */
export interface ApduResponse {
  data: string;
}

/** POST /button/{left,right,both} body (button.schema). `delay` in seconds, default 0.1. */
export interface ButtonRequest {
  action: PressAction;
  delay?: number;
}

/** POST /finger body (finger.schema). `x2`/`y2`: release position of a swipe. */
export interface FingerRequest {
  action: PressAction;
  x: number;
  y: number;
  x2?: number;
  y2?: number;
  delay?: number;
}

/** POST /ticker body (ticker.schema). */
export interface TickerRequest {
  action: TickerAction;
}

/** A text item on screen, as GET /events reports it (speculos/observer.py). */
export interface TextEvent {
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
  clear: boolean;
}

export interface EventsResponse {
  events: TextEvent[];
}

/** Automation actions (automation.schema): button number 1 = left, 2 = right. */
export type AutomationAction =
  | readonly ['button', number, boolean]
  | readonly ['finger', number, number, boolean]
  | readonly ['setbool', string, boolean]
  | readonly ['exit'];

export interface AutomationRule {
  text?: string;
  regexp?: string;
  x?: number;
  y?: number;
  /** Variables that must have these values for the rule to apply. */
  conditions?: (readonly [string, boolean])[];
  actions?: AutomationAction[];
}

/** Speculos automation document, version 1. */
export interface AutomationDocument {
  version: 1;
  rules: AutomationRule[];
}

const HEX_BYTES = /^(?:[0-9a-fA-F]{2})+$/;

export function parseApduRequest(value: unknown): ApduRequest {
  const o = object(value, 'apdu', ['data', 'tick_timeout'], ['data']);
  const data = string(o.data, 'apdu.data');
  if (!HEX_BYTES.test(data)) throw new SpeculosSchemaError('apdu.data', 'non-empty even-length hex', data);
  return { data, ...optional(o, 'tick_timeout', number, 'apdu') };
}

/** Checks a POST /apdu answer (no schema upstream: Speculos writes `{"data": hex}`; at least a status word). */
export function parseApduResponse(value: unknown): ApduResponse {
  const o = object(value, 'apdu response', undefined, ['data']);
  const data = string(o.data, 'apdu response.data');
  if (!HEX_BYTES.test(data) || data.length < 4)
    throw new SpeculosSchemaError('apdu response.data', 'even-length hex of at least 2 bytes (data || SW)', data);
  return { data };
}

export function parseButtonRequest(value: unknown): ButtonRequest {
  const o = object(value, 'button', ['action', 'delay'], ['action']);
  return { action: oneOf(o.action, 'button.action', PRESS_ACTIONS), ...optional(o, 'delay', number, 'button') };
}

export function parseFingerRequest(value: unknown): FingerRequest {
  const o = object(value, 'finger', ['action', 'x', 'y', 'x2', 'y2', 'delay'], ['action', 'x', 'y']);
  const nonNegative = (v: unknown, p: string) => integer(v, p, 0);
  return {
    action: oneOf(o.action, 'finger.action', PRESS_ACTIONS),
    x: nonNegative(o.x, 'finger.x'),
    y: nonNegative(o.y, 'finger.y'),
    ...optional(o, 'x2', nonNegative, 'finger'),
    ...optional(o, 'y2', nonNegative, 'finger'),
    ...optional(o, 'delay', number, 'finger'),
  };
}

export function parseTickerRequest(value: unknown): TickerRequest {
  const o = object(value, 'ticker', ['action'], ['action']);
  return { action: oneOf(o.action, 'ticker.action', TICKER_ACTIONS) };
}

/** Reads a TextEvent; `clear` is absent in older Speculos versions (speculos/observer.py) and then false. */
export function parseTextEvent(value: unknown, path = 'event'): TextEvent {
  const o = object(value, path, undefined, ['text', 'x', 'y', 'w', 'h']);
  return {
    text: string(o.text, `${path}.text`),
    x: integer(o.x, `${path}.x`),
    y: integer(o.y, `${path}.y`),
    w: integer(o.w, `${path}.w`),
    h: integer(o.h, `${path}.h`),
    clear: 'clear' in o ? boolean(o.clear, `${path}.clear`) : false,
  };
}

export function parseEventsResponse(value: unknown): EventsResponse {
  const o = object(value, 'events response', undefined, ['events']);
  if (!Array.isArray(o.events)) throw new SpeculosSchemaError('events response.events', 'an array', o.events);
  return { events: o.events.map((e, i) => parseTextEvent(e, `events[${i}]`)) };
}

function parseAction(value: unknown, path: string): AutomationAction {
  if (!Array.isArray(value) || value.length === 0) throw new SpeculosSchemaError(path, 'a non-empty action array', value);
  const kind = oneOf(value[0], `${path}[0]`, ['button', 'finger', 'setbool', 'exit']);
  const arity = { button: 3, finger: 4, setbool: 3, exit: 1 }[kind];
  if (value.length !== arity) throw new SpeculosSchemaError(path, `${arity} items for "${kind}"`, value);
  switch (kind) {
    case 'button':
      return ['button', integer(value[1], `${path}[1]`), boolean(value[2], `${path}[2]`)];
    case 'finger':
      return ['finger', integer(value[1], `${path}[1]`), integer(value[2], `${path}[2]`), boolean(value[3], `${path}[3]`)];
    case 'setbool':
      return ['setbool', string(value[1], `${path}[1]`), boolean(value[2], `${path}[2]`)];
    case 'exit':
      return ['exit'];
  }
}

function parseRule(value: unknown, path: string): AutomationRule {
  const o = object(value, path, ['text', 'regexp', 'x', 'y', 'conditions', 'actions'], []);
  const rule: AutomationRule = {
    ...optional(o, 'text', string, path),
    ...optional(o, 'regexp', string, path),
    ...optional(o, 'x', integer, path),
    ...optional(o, 'y', integer, path),
  };
  if (rule.regexp !== undefined) {
    try {
      new RegExp(rule.regexp);
    } catch {
      throw new SpeculosSchemaError(`${path}.regexp`, 'a valid regular expression', rule.regexp);
    }
  }
  if ('conditions' in o) {
    if (!Array.isArray(o.conditions)) throw new SpeculosSchemaError(`${path}.conditions`, 'an array', o.conditions);
    rule.conditions = o.conditions.map((c: unknown, i) => {
      const p = `${path}.conditions[${i}]`;
      if (!Array.isArray(c) || c.length !== 2) throw new SpeculosSchemaError(p, 'a [name, boolean] pair', c);
      return [string(c[0], `${p}[0]`), boolean(c[1], `${p}[1]`)] as const;
    });
  }
  if ('actions' in o) {
    if (!Array.isArray(o.actions)) throw new SpeculosSchemaError(`${path}.actions`, 'an array', o.actions);
    rule.actions = o.actions.map((a: unknown, i) => parseAction(a, `${path}.actions[${i}]`));
  }
  return rule;
}

/**
 * Validates an automation document (JSON text or an already parsed value). Speculos's schema lists the
 * rules in draft-07 tuple form and so checks only the first rule; we check every rule, since the
 * emulator runs all of them. A `file:` reference is refused here, as POST /automation refuses it.
 */
export function parseAutomationDocument(input: unknown): AutomationDocument {
  let value = input;
  if (typeof input === 'string') {
    if (input.startsWith('file:')) throw new SpeculosSchemaError('automation', 'an inline JSON document', 'file:...');
    try {
      value = JSON.parse(input);
    } catch {
      throw new SpeculosSchemaError('automation', 'valid JSON', input);
    }
  }
  const o = object(value, 'automation', ['version', 'rules'], ['version', 'rules']);
  if (o.version !== 1) throw new SpeculosSchemaError('automation.version', '1', o.version);
  if (!Array.isArray(o.rules)) throw new SpeculosSchemaError('automation.rules', 'an array', o.rules);
  return { version: 1, rules: o.rules.map((r: unknown, i) => parseRule(r, `automation.rules[${i}]`)) };
}

/** One dispatched Server-Sent Event. */
export interface SseMessage {
  /** `event:` field, 'message' when absent. */
  event: string;
  data: string;
  id?: string;
}

/**
 * Incremental SSE parser (WHATWG HTML "Parsing an event stream"): lines end in LF, CRLF or CR; a blank
 * line dispatches; `data:` lines join with LF; lines starting with ':' are comments. Bytes and lines are
 * buffered across chunks, so an event split over several reads is delivered whole once complete
 * (Ledger's speculos-http transport parses each chunk on its own, which docs/architecture.md §5 warns about).
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private line = '';
  private afterCR = false;
  private data: string[] = [];
  private event = '';
  private lastId: string | undefined;

  push(chunk: Uint8Array | string): SseMessage[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const out: SseMessage[] = [];
    for (const ch of text) {
      if (this.afterCR) {
        this.afterCR = false;
        if (ch === '\n') continue;
      }
      if (ch === '\r' || ch === '\n') {
        this.afterCR = ch === '\r';
        this.processLine(this.line, out);
        this.line = '';
      } else this.line += ch;
    }
    return out;
  }

  private processLine(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.data.length > 0) {
        const msg: SseMessage = { event: this.event || 'message', data: this.data.join('\n') };
        if (this.lastId !== undefined) msg.id = this.lastId;
        out.push(msg);
      }
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
  }
}

/** Parses the JSON `data` of one /events stream message into a TextEvent. */
export function parseTextEventMessage(message: SseMessage): TextEvent {
  let value: unknown;
  try {
    value = JSON.parse(message.data);
  } catch {
    throw new SpeculosSchemaError('event', 'JSON data', message.data);
  }
  return parseTextEvent(value);
}
