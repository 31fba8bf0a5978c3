// The review screens of the Speculos corpus (test/vectors/speculos-corpus), with the OCR artifacts
// undone from an explicit list, and the ReviewFlow the Bitcoin app builds for each flow (NBGL wording
// of app-bitcoin-new 2.4.6 src/ui/display_nbgl.c, values from the flow's inputs and results).

import { readFileSync, readdirSync } from 'node:fs';
import type { ReviewFlow, ReviewPair } from '../../../emulator/ui/review.ts';

export type CorpusModel = 'nanosp' | 'flex';

export interface CorpusEvent {
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** False for lines rebuilt from an artifact: their box is not a measurement. */
  measured: boolean;
}

export type CorpusAction = { button: 'left' | 'right' | 'both' } | { finger: [number, number]; delay?: number } | { none: string };

export interface CorpusScreen {
  step: number;
  events: CorpusEvent[];
  action: CorpusAction;
}

export interface CorpusFlow {
  name: string;
  /** A corpus model, or one our own recordings add (nanox, stax). */
  model: CorpusModel | 'nanox' | 'stax';
  json: { inputs: Record<string, unknown>; results: Record<string, unknown> };
  screens: CorpusScreen[];
}

/**
 * Where the corpus does not show the template alone. `ocr` is the run of event texts in the corpus,
 * `device` the lines the emulator draws there.
 * - Stale characters: the descriptor screens of the two `tr(...)` policies go on with the tail of the
 *   earlier, longer template (`wsh(sortedmulti(2,@0/**,@1/**))`): "0/" or "0/*" after the value and a
 *   second line "**" / ",@1/**))". The corpus README calls this text recognition; our own recordings
 *   (test/vectors/speculos-local, with screenshots) show that the app really draws such leftovers: it
 *   keeps the template in an unterminated stack buffer (local-flows.ts STACK_LEFTOVERS).
 * - A split line: on Flex the second line of the wsh descriptor, "**,@1/**))", was read as two items
 *   ("**" and ",@1/**))", the asterisks sitting higher than the rest).
 */
export const OCR_ARTIFACTS: { model: CorpusModel; flow: string; step: number; ocr: string[]; device: string[] }[] = [
  { model: 'nanosp', flow: 'policy-tr-key-plus-pk-leaf', step: 3, ocr: ['tr(@0/**,pk(@1/**))0/', '**', ',@1/**))'], device: ['tr(@0/**,pk(@1/**))'] },
  { model: 'nanosp', flow: 'policy-tr-musig-2of2', step: 3, ocr: ['tr(musig(@0,@1)/**)0/', '**', ',@1/**))'], device: ['tr(musig(@0,@1)/**)'] },
  { model: 'flex', flow: 'policy-tr-key-plus-pk-leaf', step: 2, ocr: ['tr(@0/**,pk(@1/**))0/*', '*', ',@1/**))'], device: ['tr(@0/**,pk(@1/**))'] },
  { model: 'flex', flow: 'policy-tr-musig-2of2', step: 2, ocr: ['tr(musig(@0,@1)/**)0/*', '*', ',@1/**))'], device: ['tr(musig(@0,@1)/**)'] },
  { model: 'flex', flow: 'policy-wsh-sortedmulti-2of2', step: 2, ocr: ['**', ',@1/**))'], device: ['**,@1/**))'] },
];

const ROOT = new URL('../../vectors/speculos-corpus/', import.meta.url);

export function loadCorpus(model: CorpusModel): CorpusFlow[] {
  const dir = new URL(`${model}/`, ROOT);
  const flows: CorpusFlow[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const json = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
    const name = file.slice(0, -'.json'.length);
    const screens: CorpusScreen[] = (json.screens ?? []).map((s: { step: number; events: Omit<CorpusEvent, 'measured'>[]; action: CorpusAction }) => ({
      step: s.step,
      action: s.action,
      events: undoArtifacts(model, name, s.step, s.events.map((e) => ({ ...e, measured: true }))),
    }));
    flows.push({ name, model, json, screens });
  }
  return flows;
}

function undoArtifacts(model: CorpusModel, flow: string, step: number, events: CorpusEvent[]): CorpusEvent[] {
  const artifact = OCR_ARTIFACTS.find((a) => a.model === model && a.flow === flow && a.step === step);
  if (!artifact) return events;
  const at = events.findIndex((_, i) => artifact.ocr.every((t, k) => events[i + k]?.text === t));
  if (at < 0) throw new Error(`corpus ${model}/${flow} step ${step}: listed OCR artifact ${JSON.stringify(artifact.ocr)} not found`);
  const first = events[at]!;
  const rebuilt = artifact.device.map((text, k) => ({ ...first, text, y: first.y + k * (first.h + 2), measured: false }));
  return [...events.slice(0, at), ...rebuilt, ...events.slice(at + artifact.ocr.length)];
}

/** The review an app-bitcoin-new 2.4.6 build shows for a corpus flow, in the wording of `family`. */
export function reviewFor(flow: CorpusFlow): ReviewFlow | undefined {
  const nano = flow.model === 'nanosp';
  const { inputs, results } = flow.json;
  if (flow.name.startsWith('policy-')) {
    const keys = inputs.keys_info as string[];
    const pairs: ReviewPair[] = [
      { item: 'Account name', value: inputs.wallet_name as string },
      { item: nano ? 'Wallet policy' : 'Descriptor template', value: inputs.descriptor_template as string },
      { item: 'Review co-signer\npublic keys', value: '', centered: true },
      ...keys.map((value, i) => ({
        item: `${i === 0 ? (nano ? 'Our key' : 'Internal key') : nano ? 'Their key' : 'External key'}@${i}`,
        value,
      })),
    ];
    return {
      intro: 'Review account\nto register',
      pairs,
      finish: { text: nano ? 'Register account' : 'Register account?', action: 'approve' },
      approved: 'Account registered',
      rejected: 'Account rejected',
    };
  }
  if (flow.name.startsWith('xpub-display-approve-')) {
    return {
      intro: 'Confirm public key',
      pairs: [
        { item: 'Path', value: (inputs.path as string).replace(/^m\//, '') },
        { item: 'Public key', value: results.xpub as string },
      ],
      finish: { text: 'Approve public key', action: 'approve' },
      approved: 'Public key\napproved',
      rejected: 'Public key\nrejected',
    };
  }
  if (flow.name.startsWith('sign-message-')) {
    return {
      intro: 'Review message',
      pairs: [
        { item: 'Path', value: (inputs.path as string).replace(/^m\//, '') },
        { item: nano ? 'Message' : 'Message content', value: inputs.message as string },
      ],
      finish: { text: nano ? 'Sign message' : 'Sign message?', action: 'hold' },
      approved: 'Message signed',
      rejected: 'Message rejected',
      reject: 'Reject message',
    };
  }
  const tx = TRANSACTIONS[flow.name];
  if (!tx) return undefined;
  const pairs: ReviewPair[] = tx.from ? [{ item: 'From', value: tx.from }] : [];
  tx.outputs.forEach((o, i) => {
    if (tx.outputs.length > 1) pairs.push({ item: 'Transaction output', value: `${i + 1} of ${tx.outputs.length}` });
    pairs.push({ item: 'Amount', value: o.amount }, { item: 'To', value: o.to });
  });
  pairs.push({ item: 'Fees', value: tx.fee });
  return {
    intro: 'Review transaction\nto send bitcoin',
    pairs,
    finish: { text: nano ? 'Sign transaction' : 'Sign transaction\nto send bitcoin?', action: 'hold' },
    approved: 'Transaction signed',
    rejected: 'Transaction rejected',
    reject: 'Reject transaction',
  };
}

/** The external outputs, amounts and fees of the corpus PSBTs as the app formats them. */
const TRANSACTIONS: Record<string, { from?: string; outputs: { amount: string; to: string }[]; fee: string }> = {
  'sign-psbt-taproot-keypath': {
    outputs: [
      { amount: '0.0002 TEST', to: 'tb1p8wpt9v4frpf3tkn0srd97pksgsxc5hs52lafxwru9kgeephvs7rqlqt9zj' },
      { amount: '0.00029 TEST', to: 'tb1p9y6pr3ec7jfdg6aaa282eu6pxn630ujlmkuwzvmdc6lam3t7dy7qrvhl3c' },
    ],
    fee: '0.00001 TEST',
  },
  'sign-psbt-wpkh': {
    outputs: [{ amount: '0.0006 TEST', to: 'tb1p8wpt9v4frpf3tkn0srd97pksgsxc5hs52lafxwru9kgeephvs7rqlqt9zj' }],
    fee: '0.00001 TEST',
  },
  'sign-psbt-musig2-2of2': {
    from: 'Musig 2of2',
    outputs: [{ amount: '0.00099 TEST', to: 'tb1p9y6pr3ec7jfdg6aaa282eu6pxn630ujlmkuwzvmdc6lam3t7dy7qrvhl3c' }],
    fee: '0.00001 TEST',
  },
};

export function allFlows(): CorpusFlow[] {
  return [...loadCorpus('nanosp'), ...loadCorpus('flex')].filter((f) => f.screens.length > 0);
}
