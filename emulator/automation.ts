// Speculos automation rules, version 1 (speculos docs/user/automation.md, automation.schema): for each
// text event, the first rule whose `text` equals it (or whose `regexp` matches from its start, as
// Python's re.match), whose `x`/`y` equal its position and whose `conditions` all hold gives the
// actions to run: ["button", 1|2, pressed] (1 = left, 2 = right), ["finger", x, y, pressed],
// ["setbool", name, value], ["exit"]. Variables start false.

import type { TextEvent } from './ui/screen.ts';
import { EmulatorError } from './errors.ts';

export type AutomationAction =
  | ['button', 1 | 2, boolean]
  | ['finger', number, number, boolean]
  | ['setbool', string, boolean]
  | ['exit'];

export interface AutomationRule {
  text?: string;
  regexp?: string;
  x?: number;
  y?: number;
  conditions?: [string, boolean][];
  actions: AutomationAction[];
}

export interface AutomationDocument {
  version: 1;
  rules: AutomationRule[];
}

interface CompiledRule extends AutomationRule {
  pattern?: RegExp;
}

export class Automation {
  readonly document: AutomationDocument;
  private readonly rules: CompiledRule[];
  private readonly variables = new Map<string, boolean>();

  /** Parses and validates a rules document (JSON text or object); throws AutomationError. */
  constructor(input: AutomationDocument | string) {
    this.document = parseAutomation(input);
    this.rules = this.document.rules.map((rule) => (rule.regexp === undefined ? rule : { ...rule, pattern: new RegExp(`^(?:${rule.regexp})`) }));
  }

  actionsFor(event: Pick<TextEvent, 'text' | 'x' | 'y'>): AutomationAction[] {
    for (const rule of this.rules) {
      if (rule.text !== undefined && rule.text !== event.text) continue;
      if (rule.pattern && !rule.pattern.test(event.text)) continue;
      if (rule.x !== undefined && rule.x !== event.x) continue;
      if (rule.y !== undefined && rule.y !== event.y) continue;
      if (rule.conditions && !rule.conditions.every(([name, value]) => (this.variables.get(name) ?? false) === value)) continue;
      return rule.actions;
    }
    return [];
  }

  setBool(name: string, value: boolean): void {
    this.variables.set(name, value);
  }

  getBool(name: string): boolean {
    return this.variables.get(name) ?? false;
  }
}

export function parseAutomation(input: AutomationDocument | string): AutomationDocument {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new EmulatorError('E_AUTOMATION', `automation: expected a JSON document, got invalid JSON (${(e as Error).message})`);
    }
  }
  const fail = (what: string, got: unknown): never => {
    throw new EmulatorError('E_AUTOMATION', `automation: expected ${what}, got ${JSON.stringify(got)}`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('an object with "version" and "rules"', doc);
  const { version, rules, ...extra } = doc as Record<string, unknown>;
  if (Object.keys(extra).length > 0) fail('only "version" and "rules"', Object.keys(extra));
  if (version !== 1) fail('"version": 1', version);
  if (!Array.isArray(rules)) fail('"rules" to be an array', rules);
  return { version: 1, rules: (rules as unknown[]).map((rule, i) => parseRule(rule, i, fail)) };
}

function parseRule(rule: unknown, i: number, fail: (what: string, got: unknown) => never): AutomationRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return fail(`rule ${i} to be an object`, rule);
  const { text, regexp, x, y, conditions, actions, ...extra } = rule as Record<string, unknown>;
  if (Object.keys(extra).length > 0) fail(`rule ${i} to have only text/regexp/x/y/conditions/actions`, Object.keys(extra));
  const out: AutomationRule = { actions: [] };
  if (text !== undefined) out.text = typeof text === 'string' ? text : fail(`rule ${i} "text" to be a string`, text);
  if (regexp !== undefined) {
    if (typeof regexp !== 'string') fail(`rule ${i} "regexp" to be a string`, regexp);
    try {
      new RegExp(regexp as string);
    } catch {
      fail(`rule ${i} "regexp" to be a valid regular expression`, regexp);
    }
    out.regexp = regexp as string;
  }
  if (x !== undefined) out.x = isInt(x) ? x : fail(`rule ${i} "x" to be an integer`, x);
  if (y !== undefined) out.y = isInt(y) ? y : fail(`rule ${i} "y" to be an integer`, y);
  if (conditions !== undefined) {
    if (!Array.isArray(conditions)) fail(`rule ${i} "conditions" to be an array`, conditions);
    out.conditions = (conditions as unknown[]).map((c) =>
      Array.isArray(c) && c.length === 2 && typeof c[0] === 'string' && typeof c[1] === 'boolean'
        ? ([c[0], c[1]] as [string, boolean])
        : fail(`rule ${i} condition ["name", bool]`, c),
    );
  }
  if (!Array.isArray(actions)) fail(`rule ${i} "actions" to be an array`, actions);
  out.actions = (actions as unknown[]).map((a) => parseAction(a, i, fail));
  return out;
}

function parseAction(a: unknown, i: number, fail: (what: string, got: unknown) => never): AutomationAction {
  if (!Array.isArray(a)) return fail(`rule ${i} action to be an array`, a);
  const [kind, p, q, r] = a as unknown[];
  if (kind === 'button' && a.length === 3 && (p === 1 || p === 2) && typeof q === 'boolean') return ['button', p, q];
  if (kind === 'finger' && a.length === 4 && isInt(p) && isInt(q) && typeof r === 'boolean') return ['finger', p, q, r];
  if (kind === 'setbool' && a.length === 3 && typeof p === 'string' && typeof q === 'boolean') return ['setbool', p, q];
  if (kind === 'exit' && a.length === 1) return ['exit'];
  return fail(`rule ${i} action ["button",1|2,bool] | ["finger",x,y,bool] | ["setbool",name,bool] | ["exit"]`, a);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
