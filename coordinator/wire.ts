// The coordinator's HTTP wire format (docs/coordinator.md §3), one definition for server and party
// client: route paths, request and response bodies, the typed errors with their HTTP statuses, and
// the limits. Bytes travel as unpadded base64url. The coordinator knows nothing of MuSig2 or FROST:
// a message is an opaque ciphertext addressed by (session, step, sender, sequence, recipient).

import { base64urlnopad } from '@scure/base';
import { CoordinatorLayerError } from './errors.ts';

export const API_VERSION = 'v1';

export const ROUTES = {
  info: '/v1/info',
  createSession: '/v1/sessions',
  join: '/v1/join',
  session: (id: string) => `/v1/sessions/${id}`,
  messages: (id: string) => `/v1/sessions/${id}/messages`,
} as const;

/** Every refusal the coordinator answers, its HTTP status and what it means. */
export const ERRORS = {
  bad_request: { status: 400, meaning: 'the request is malformed' },
  sealed_request: { status: 400, meaning: 'the sealed request does not open with the coordinator key' },
  unauthorized: { status: 401, meaning: 'no valid party credential for this session' },
  origin_refused: { status: 403, meaning: 'requests from web pages (an Origin header) or foreign Host names are refused' },
  not_found: { status: 404, meaning: 'no such route' },
  invite_unknown: { status: 404, meaning: 'no such invite' },
  session_unknown: { status: 404, meaning: 'no such session' },
  method_not_allowed: { status: 405, meaning: 'the route does not take this method' },
  invite_used: { status: 409, meaning: 'the invite was already used' },
  message_conflict: { status: 409, meaning: 'a different message already holds this step and sequence number' },
  invite_expired: { status: 410, meaning: 'the invite expired' },
  session_expired: { status: 410, meaning: 'the session expired' },
  body_too_large: { status: 413, meaning: 'the request body exceeds the limit' },
  unsupported_media_type: { status: 415, meaning: 'expected Content-Type: application/json' },
  message_limit: { status: 429, meaning: 'the session holds the maximum number of messages' },
  internal: { status: 500, meaning: 'the coordinator failed' },
  session_limit: { status: 503, meaning: 'the coordinator holds the maximum number of sessions' },
  busy: { status: 503, meaning: 'too many requests are waiting' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/**
 * A refusal by the coordinator, as the server raises it and the client rebuilds it from the body:
 * code E_COORDINATOR, `reason` the wire's code (ERRORS above), `status` its HTTP status.
 */
export class CoordinatorError extends CoordinatorLayerError {
  readonly status: number;
  constructor(
    readonly reason: ErrorCode,
    message: string,
  ) {
    super('E_COORDINATOR', `${reason}: ${message}`);
    this.status = ERRORS[reason].status;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export interface Limits {
  /** Largest request body in bytes. */
  maxBody: number;
  /** Parties per session, inclusive bounds. */
  minParties: number;
  maxParties: number;
  /** Stored messages per session (one per recipient). */
  maxMessagesPerSession: number;
  /** Sessions the coordinator holds at once. */
  maxSessions: number;
  /** Long polls waiting at once, across sessions. */
  maxWaiters: number;
  /** Longest wait a GET may ask for, ms. */
  maxWaitMs: number;
  /** Lifetime of an invite and of a session, ms. */
  inviteTtlMs: number;
  sessionTtlMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBody: 256 * 1024,
  minParties: 2,
  maxParties: 15,
  maxMessagesPerSession: 4096,
  maxSessions: 10_000,
  maxWaiters: 2_000,
  maxWaitMs: 25_000,
  inviteTtlMs: 60 * 60 * 1000,
  sessionTtlMs: 7 * 24 * 60 * 60 * 1000,
};

/** Step labels are opaque to the coordinator; this grammar keeps them printable and short. */
export const STEP_PATTERN = /^[a-z0-9][a-z0-9/.-]{0,63}$/;
export const SESSION_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export interface InfoResponse {
  version: typeof API_VERSION;
  /** The coordinator's X25519 key (hex): parties pin it on first use. */
  publicKey: string;
  limits: Limits;
}

/** A request sealed to the coordinator (HPKE auth mode, the party's key authenticating it). */
export interface SealedBody {
  /** The sender's X25519 public key, hex. */
  pk: string;
  /** HPKE enc || ciphertext, base64url. */
  data: string;
}

/** The coordinator's reply, sealed back to the requesting key. */
export interface SealedReply {
  data: string;
}

export interface CreateSessionRequest {
  scheme: string;
  parties: number;
  threshold?: number;
}

export interface CreateSessionReply {
  session: string;
  party: 0;
  /** Bearer credential of party 0 for this session. */
  credential: string;
  /** One single-use invite token per other party, for parties 1..n-1 in order. */
  invites: string[];
}

export interface JoinRequest {
  token: string;
}

export interface JoinReply {
  session: string;
  party: number;
  credential: string;
  scheme: string;
  parties: number;
  threshold?: number;
}

export interface SessionInfo {
  session: string;
  scheme: string;
  parties: number;
  threshold?: number;
  /** Each party's X25519 key (hex) once it joined, else null. */
  keys: (string | null)[];
  expiresAt: number;
}

export interface Envelope {
  to: number;
  /** HPKE enc || ciphertext, base64url. */
  data: string;
}

export interface PostMessages {
  step: string;
  seq: number;
  envelopes: Envelope[];
}

export interface PostMessagesReply {
  /** Envelopes newly stored; 0 when the same request was already stored (a retry). */
  stored: number;
}

export interface RoutedMessage {
  step: string;
  from: number;
  seq: number;
  data: string;
}

export interface GetMessagesReply {
  messages: RoutedMessage[];
}

export const b64 = {
  encode: (bytes: Uint8Array): string => base64urlnopad.encode(bytes),
  decode(text: unknown, what: string): Uint8Array {
    if (typeof text !== 'string') throw new CoordinatorError('bad_request', `${what}: expected a base64url string, got ${typeof text}`);
    try {
      return base64urlnopad.decode(text);
    } catch {
      throw new CoordinatorError('bad_request', `${what}: expected base64url, got "${text.slice(0, 40)}"`);
    }
  },
};
