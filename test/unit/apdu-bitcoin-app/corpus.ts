// Loads the recorded Speculos transcripts (test/vectors/speculos-corpus, see its README.md).

import { readdirSync, readFileSync } from 'node:fs';
import { fromHex } from '../../../apdu/bytes.ts';

export const CORPUS_DIR = new URL('../../vectors/speculos-corpus/', import.meta.url);
export const MODELS = ['nanosp', 'flex'] as const;

export interface Exchange {
  command: Uint8Array;
  response: Uint8Array;
}

export function flowNames(model: string): string[] {
  return readdirSync(new URL(`${model}/`, CORPUS_DIR))
    .filter((f) => f.endsWith('.apdus'))
    .map((f) => f.slice(0, -'.apdus'.length))
    .sort();
}

export function loadExchanges(model: string, flow: string): Exchange[] {
  const lines = readFileSync(new URL(`${model}/${flow}.apdus`, CORPUS_DIR), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const out: Exchange[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const cmd = lines[i]!;
    const res = lines[i + 1];
    if (!cmd.startsWith('=> ') || !res?.startsWith('<= ')) throw new Error(`${model}/${flow}: malformed line ${i + 1}`);
    out.push({ command: fromHex(cmd.slice(3)), response: fromHex(res.slice(3)) });
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadFlow(model: string, flow: string): any {
  return JSON.parse(readFileSync(new URL(`${model}/${flow}.json`, CORPUS_DIR), 'utf8'));
}
