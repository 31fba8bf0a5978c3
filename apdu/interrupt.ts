// The client-command interrupt of the Ledger Bitcoin app (doc/bitcoin.md "Client commands",
// docs/bitcoin-app-protocol.md §3). While a command runs, the app may answer SW 0xE000 with a request whose first
// byte names a client command; the host executes it and answers with F8 01 CONTINUE carrying the
// response. Both directions are encoded and decoded here, so the host client and the emulated app
// share one definition of the bytes.
//
// Requests (device -> host) decode strictly: the host is the party that checks them. Responses
// (host -> device) decode the way the app reads them (src/handler/lib/get_preimage.c,
// get_merkle_leaf_hash.c, get_merkle_leaf_index.c): fields in order, counts checked against what
// follows, trailing bytes ignored.

import { ByteReader, concat, encodeVarint } from './bytes.ts';
import type { CommandApdu } from './apdu.ts';
import { MAX_APDU_DATA } from './apdu.ts';
import { CodecError } from './errors.ts';

export const ClientCommandCode = {
  YIELD: 0x10,
  GET_PREIMAGE: 0x40,
  GET_MERKLE_LEAF_PROOF: 0x41,
  GET_MERKLE_LEAF_INDEX: 0x42,
  GET_MORE_ELEMENTS: 0xa0,
} as const;

export type ClientCommandName = keyof typeof ClientCommandCode;
export type ClientCommandCodeValue = (typeof ClientCommandCode)[ClientCommandName];

export const CLA_FRAMEWORK = 0xf8;
export const INS_CONTINUE = 0x01;
/** Status word of an interrupted execution: the response data is a client command request. */
export const SW_INTERRUPTED_EXECUTION = 0xe000;

export type ClientCommandRequest =
  | { command: 'YIELD'; data: Uint8Array }
  | { command: 'GET_PREIMAGE'; hash: Uint8Array }
  | { command: 'GET_MERKLE_LEAF_PROOF'; root: Uint8Array; size: number; index: number }
  | { command: 'GET_MERKLE_LEAF_INDEX'; root: Uint8Array; leafHash: Uint8Array }
  | { command: 'GET_MORE_ELEMENTS' };

export type ClientCommandResponse =
  | { command: 'YIELD' }
  /** `length` is the whole preimage's length; `data` its first bytes, the rest comes by GET_MORE_ELEMENTS. */
  | { command: 'GET_PREIMAGE'; length: number; data: Uint8Array }
  /** `proofLength` hashes in all; `hashes` the first of them (bottom-up), the rest by GET_MORE_ELEMENTS. */
  | { command: 'GET_MERKLE_LEAF_PROOF'; leafHash: Uint8Array; proofLength: number; hashes: Uint8Array[] }
  | { command: 'GET_MERKLE_LEAF_INDEX'; found: boolean; index: number }
  /** Elements of one common size (1 for preimage bytes, 32 for proof hashes). */
  | { command: 'GET_MORE_ELEMENTS'; elementSize: number; elements: Uint8Array[] };

const NAME_OF: Record<number, ClientCommandName> = Object.fromEntries(
  Object.entries(ClientCommandCode).map(([name, code]) => [code, name as ClientCommandName]),
);

export function clientCommandName(code: number): ClientCommandName | undefined {
  return NAME_OF[code];
}

function hash32(value: Uint8Array, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 32)
    throw new RangeError(`${what}: expected 32 bytes, got ${value instanceof Uint8Array ? value.length : typeof value}`);
  return value;
}

function u8(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`${what}: expected 0..255, got ${n}`);
  return n;
}

export function encodeClientCommandRequest(req: ClientCommandRequest): Uint8Array {
  const code = Uint8Array.of(ClientCommandCode[req.command]);
  switch (req.command) {
    case 'YIELD':
      return concat(code, req.data);
    case 'GET_PREIMAGE':
      // The byte after the code is reserved and must be 0 (doc/bitcoin.md).
      return concat(code, Uint8Array.of(0), hash32(req.hash, 'GET_PREIMAGE.hash'));
    case 'GET_MERKLE_LEAF_PROOF':
      return concat(code, hash32(req.root, 'GET_MERKLE_LEAF_PROOF.root'), encodeVarint(req.size), encodeVarint(req.index));
    case 'GET_MERKLE_LEAF_INDEX':
      return concat(code, hash32(req.root, 'GET_MERKLE_LEAF_INDEX.root'), hash32(req.leafHash, 'GET_MERKLE_LEAF_INDEX.leafHash'));
    case 'GET_MORE_ELEMENTS':
      return code;
  }
}

/** Decodes the data of an E000 response, as the host receives it. */
export function decodeClientCommandRequest(data: Uint8Array): ClientCommandRequest {
  const r = new ByteReader(data, 'client command request');
  const code = r.u8('code');
  const command = NAME_OF[code];
  if (!command) throw new CodecError(`client command request: expected a known command code, got 0x${code.toString(16).padStart(2, '0')}`);
  let out: ClientCommandRequest;
  switch (command) {
    case 'YIELD':
      return { command, data: r.rest() };
    case 'GET_PREIMAGE': {
      const reserved = r.u8('reserved');
      if (reserved !== 0) throw new CodecError(`client command request.GET_PREIMAGE: expected reserved byte 0, got ${reserved}`);
      out = { command, hash: r.bytesN(32, 'hash') };
      break;
    }
    case 'GET_MERKLE_LEAF_PROOF': {
      const root = r.bytesN(32, 'root');
      const size = r.varintNumber('size', 0xffffffff);
      const index = r.varintNumber('index', 0xffffffff);
      if (index >= size) throw new CodecError(`client command request.GET_MERKLE_LEAF_PROOF: expected index < size ${size}, got ${index}`);
      out = { command, root, size, index };
      break;
    }
    case 'GET_MERKLE_LEAF_INDEX':
      out = { command, root: r.bytesN(32, 'root'), leafHash: r.bytesN(32, 'leafHash') };
      break;
    case 'GET_MORE_ELEMENTS':
      out = { command };
      break;
  }
  r.end();
  return out;
}

export function encodeClientCommandResponse(res: ClientCommandResponse): Uint8Array {
  let out: Uint8Array;
  switch (res.command) {
    case 'YIELD':
      out = new Uint8Array();
      break;
    case 'GET_PREIMAGE':
      if (res.data.length > res.length)
        throw new RangeError(`GET_PREIMAGE response: expected at most ${res.length} bytes of preimage, got ${res.data.length}`);
      out = concat(encodeVarint(res.length), Uint8Array.of(u8(res.data.length, 'GET_PREIMAGE response.data.length')), res.data);
      break;
    case 'GET_MERKLE_LEAF_PROOF':
      if (res.hashes.length > res.proofLength)
        throw new RangeError(`GET_MERKLE_LEAF_PROOF response: expected at most ${res.proofLength} hashes, got ${res.hashes.length}`);
      out = concat(
        hash32(res.leafHash, 'GET_MERKLE_LEAF_PROOF response.leafHash'),
        Uint8Array.of(u8(res.proofLength, 'GET_MERKLE_LEAF_PROOF response.proofLength'), res.hashes.length),
        ...res.hashes.map((h, i) => hash32(h, `GET_MERKLE_LEAF_PROOF response.hashes[${i}]`)),
      );
      break;
    case 'GET_MERKLE_LEAF_INDEX':
      out = concat(Uint8Array.of(res.found ? 1 : 0), encodeVarint(res.index));
      break;
    case 'GET_MORE_ELEMENTS': {
      const size = u8(res.elementSize, 'GET_MORE_ELEMENTS response.elementSize');
      for (const [i, e] of res.elements.entries())
        if (e.length !== size) throw new RangeError(`GET_MORE_ELEMENTS response.elements[${i}]: expected ${size} bytes, got ${e.length}`);
      out = concat(Uint8Array.of(u8(res.elements.length, 'GET_MORE_ELEMENTS response.count'), size), ...res.elements);
      break;
    }
  }
  if (out.length > MAX_APDU_DATA)
    throw new RangeError(`${res.command} response: expected at most ${MAX_APDU_DATA} bytes, got ${out.length}`);
  return out;
}

/** Decodes CONTINUE data as the answer to a request of kind `command`, reading it as the app does. */
export function decodeClientCommandResponse(command: ClientCommandName, data: Uint8Array): ClientCommandResponse {
  const r = new ByteReader(data, `${command} response`);
  switch (command) {
    case 'YIELD':
      return { command };
    case 'GET_PREIMAGE': {
      const length = r.varintNumber('length', 0xffffffff);
      const n = r.u8('partialLength');
      if (n > length) throw new CodecError(`GET_PREIMAGE response: expected at most ${length} bytes of preimage, got ${n}`);
      return { command, length, data: r.bytesN(n, 'data') };
    }
    case 'GET_MERKLE_LEAF_PROOF': {
      const leafHash = r.bytesN(32, 'leafHash');
      const proofLength = r.u8('proofLength');
      const n = r.u8('count');
      if (n > proofLength) throw new CodecError(`GET_MERKLE_LEAF_PROOF response: expected at most ${proofLength} hashes, got ${n}`);
      const hashes: Uint8Array[] = [];
      for (let i = 0; i < n; i++) hashes.push(r.bytesN(32, `hashes[${i}]`));
      return { command, leafHash, proofLength, hashes };
    }
    case 'GET_MERKLE_LEAF_INDEX': {
      const found = r.u8('found');
      if (found > 1) throw new CodecError(`GET_MERKLE_LEAF_INDEX response: expected found 0 or 1, got ${found}`);
      return { command, found: found === 1, index: r.varintNumber('index', 0xffffffff) };
    }
    case 'GET_MORE_ELEMENTS': {
      const n = r.u8('count');
      const elementSize = r.u8('elementSize');
      const elements: Uint8Array[] = [];
      for (let i = 0; i < n; i++) elements.push(r.bytesN(elementSize, `elements[${i}]`));
      return { command, elementSize, elements };
    }
  }
}

/** The F8 01 CONTINUE command carrying a client command response (P2 = protocol version 1). */
export function continueCommand(response: Uint8Array, protocolVersion = 1): CommandApdu {
  if (response.length > MAX_APDU_DATA)
    throw new RangeError(`CONTINUE: expected at most ${MAX_APDU_DATA} bytes of response, got ${response.length}`);
  return { cla: CLA_FRAMEWORK, ins: INS_CONTINUE, p1: 0, p2: protocolVersion, data: response };
}

export function isContinueCommand(cmd: CommandApdu): boolean {
  return cmd.cla === CLA_FRAMEWORK && cmd.ins === INS_CONTINUE;
}
