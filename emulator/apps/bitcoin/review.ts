// The review screens of app-bitcoin-new 2.4.6 (src/ui/display_nbgl.c), as ReviewFlows. The app
// words some screens differently on touch devices (SCREEN_SIZE_WALLET) and on Nanos; the corpus
// records both. Two NBGL layout hints ride along on the pairs for the renderer: `forcePageStart`
// (the pair opens a new page on touch devices; the renderer does not honour it yet) and `centered`
// (an information page with no value).

import type { ReviewFlow, ReviewPair, WarningPage } from '../../ui/review.ts';

export type Family = 'nano' | 'touch';

export type HintedPair = ReviewPair & { forcePageStart?: boolean };

export function messageReview(family: Family, path: string, shown: string, isHash: boolean): ReviewFlow {
  const label = isHash ? 'Message hash' : family === 'touch' ? 'Message content' : 'Message';
  return {
    intro: 'Review message',
    pairs: [
      { item: 'Path', value: path },
      { item: label, value: shown },
    ],
    finish: { text: family === 'touch' ? 'Sign message?' : 'Sign message', action: 'hold' },
    approved: 'Message signed',
    rejected: 'Message rejected',
    reject: 'Reject message',
  };
}

export interface KeyShown {
  kind: 'internal' | 'external' | 'unspendable';
  info: string;
}

export function registerReview(family: Family, name: string, template: string, keys: readonly KeyShown[]): ReviewFlow {
  const labels =
    family === 'touch'
      ? { internal: 'Internal', external: 'External', unspendable: 'Unspendable' }
      : { internal: 'Our', external: 'Their', unspendable: 'Dummy' };
  const pairs: HintedPair[] = [
    { item: 'Account name', value: name },
    { item: family === 'touch' ? 'Descriptor template' : 'Wallet policy', value: template },
    { item: 'Review co-signer\npublic keys', value: '', centered: true },
    ...keys.map((k, i) => ({ item: `${labels[k.kind]} key@${i}`, value: k.info })),
  ];
  return {
    intro: 'Review account\nto register',
    pairs,
    finish: { text: family === 'touch' ? 'Register account?' : 'Register account', action: 'approve' },
    approved: 'Account registered',
    rejected: 'Account rejected',
    reject: 'Reject operation',
  };
}

/**
 * nbgl_useCaseAddressReview: the address, then the account name of a registered policy. The SDK
 * (26.1.1) words the refusal "Cancel" and the status "Address verification cancelled", which a Nano
 * wraps itself and a touch device breaks after "verification".
 */
export function addressReview(family: Family, address: string, walletName: string | undefined): ReviewFlow {
  const pairs: ReviewPair[] = [{ item: 'Address', value: address }];
  if (walletName !== undefined) pairs.push({ item: 'Account name', value: walletName });
  return {
    intro: 'Verify bitcoin\naddress',
    pairs,
    finish: { text: 'Confirm', action: 'approve' },
    approved: 'Address verified',
    rejected: family === 'touch' ? 'Address verification\ncancelled' : 'Address verification cancelled',
    reject: 'Cancel',
    useCase: 'address',
  };
}

export interface OutputShown {
  amount: string;
  to: string;
}

/**
 * The transaction review. Up to MAX_EXT_OUTPUT_SIMPLIFIED_NUMBER external outputs use the
 * "simplified" review (ui_display_transaction_simplified_flow_*); more use the streaming review,
 * which labels the destination "Address" and always numbers the outputs.
 */
export function transactionReview(
  family: Family,
  opts: { walletName?: string; outputs: readonly OutputShown[]; fee: string; highFee: boolean; streaming: boolean },
): ReviewFlow {
  const pairs: HintedPair[] = [];
  if (opts.walletName !== undefined) pairs.push({ item: 'From', value: opts.walletName });
  const n = opts.outputs.length;
  if (n === 0) pairs.push({ item: 'Amount', value: opts.streaming ? 'Self-transfer' : `0 ${opts.fee.split(' ')[1]} (self-transfer)` });
  opts.outputs.forEach((o, i) => {
    if (opts.streaming || n > 1) pairs.push({ item: 'Transaction output', value: `${i + 1} of ${n}`, forcePageStart: true });
    pairs.push({ item: 'Amount', value: o.amount, forcePageStart: false });
    pairs.push({ item: opts.streaming ? 'Address' : 'To', value: o.to });
  });
  if (opts.highFee) pairs.push({ item: 'High fees warning', value: highFeeText(family) });
  pairs.push({ item: 'Fees', value: opts.fee, forcePageStart: opts.streaming || n > 1 });
  return {
    intro: 'Review transaction\nto send bitcoin',
    pairs,
    finish: { text: family === 'touch' ? 'Sign transaction\nto send bitcoin?' : 'Sign transaction', action: 'hold' },
    approved: 'Transaction signed',
    rejected: 'Transaction rejected',
    reject: 'Reject transaction',
  };
}

function highFeeText(family: Family): string {
  return family === 'touch'
    ? 'This transaction has fees higher than 10% of the amount you\u2019re sending.'
    : 'Fees are above 10%\n of total amount';
}

export type TxWarning = 'external-inputs' | 'non-default-sighash' | 'unverified-inputs';

/** ui_display_warning_generic: the security-risk choice shown before the review. */
export function warningPage(family: Family, warning: TxWarning): WarningPage {
  const touch = family === 'touch';
  const text = {
    'external-inputs': touch
      ? 'This transaction has external inputs. You could spend more than expected.'
      : 'There are external inputs\nReject if not sure',
    'non-default-sighash': touch
      ? 'This transaction uses non-standard signing rules (modified sighash). You could spend more than expected.'
      : 'Non-default sighash',
    'unverified-inputs': 'Unverified inputs\nUpdate your wallet software',
  }[warning];
  return { title: touch ? 'Security risk detected' : 'Security risk', text };
}

/** format_sats_amount: integral part, up to 8 decimals without trailing zeros, then the ticker. */
export function formatAmount(sats: bigint, ticker: string): string {
  const integral = sats / 100000000n;
  const frac = sats % 100000000n;
  if (frac === 0n) return `${integral} ${ticker}`;
  const digits = frac.toString().padStart(8, '0').replace(/0+$/, '');
  return `${integral}.${digits} ${ticker}`;
}
