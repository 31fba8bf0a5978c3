// The invite a initiator hands to one other party out of band (docs/coordinator.md §2.2). Only its
// token goes to the coordinator. The rest never does: the coordinator's key (so the invitee pins
// the key the initiator pinned instead of trusting its first answer), the initiator's key, and a
// secret shared by these two parties alone, the PSK of their first messages — with it the
// initiator knows which key answered its invite, and the invitee that the roster came from the
// initiator, whatever the coordinator does in between.
//
//   "cosign1." || base64url(party u8 || token[32] || coordinatorKey[32] || initiatorKey[32] || secret[32])

import { base64urlnopad } from '@scure/base';
import { concat } from '../apdu/bytes.ts';
import { CoordinatorLayerError } from './errors.ts';

const PREFIX = 'cosign1.';
const LENGTH = 1 + 4 * 32;

export interface Invite {
  /** The invitee's party number (1..n-1). */
  readonly party: number;
  readonly token: Uint8Array;
  readonly coordinatorKey: Uint8Array;
  readonly initiatorKey: Uint8Array;
  readonly secret: Uint8Array;
}

export function encodeInvite(i: Invite): string {
  if (!Number.isInteger(i.party) || i.party < 1 || i.party > 255) throw new CoordinatorLayerError('E_INVITE', `invite: expected a party number in [1, 255], got ${i.party}`);
  for (const [name, v] of [['token', i.token], ['coordinatorKey', i.coordinatorKey], ['initiatorKey', i.initiatorKey], ['secret', i.secret]] as const)
    if (v.length !== 32) throw new CoordinatorLayerError('E_INVITE', `invite: ${name}: expected 32 bytes, got ${v.length}`);
  return PREFIX + base64urlnopad.encode(concat(Uint8Array.of(i.party), i.token, i.coordinatorKey, i.initiatorKey, i.secret));
}

export function decodeInvite(text: string): Invite {
  if (!text.startsWith(PREFIX)) throw new CoordinatorLayerError('E_INVITE', `invite: expected a string starting with "${PREFIX}", got "${text.slice(0, 12)}…"`);
  let b: Uint8Array;
  try {
    b = base64urlnopad.decode(text.slice(PREFIX.length));
  } catch {
    throw new CoordinatorLayerError('E_INVITE', 'invite: expected base64url after the prefix');
  }
  if (b.length !== LENGTH) throw new CoordinatorLayerError('E_INVITE', `invite: expected ${LENGTH} bytes, got ${b.length}`);
  if (b[0] === 0) throw new CoordinatorLayerError('E_INVITE', 'invite: party 0 is the initiator, who needs no invite');
  const at = (k: number) => b.slice(1 + 32 * k, 33 + 32 * k);
  return { party: b[0]!, token: at(0), coordinatorKey: at(1), initiatorKey: at(2), secret: at(3) };
}
