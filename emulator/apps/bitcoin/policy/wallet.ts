// A wallet policy as the device receives it: the serialized header (wallet.c
// read_wallet_policy_header), the descriptor template fetched by its hash, and key information
// strings fetched one by one from the keys Merkle tree (parse_policy_map_key_info).

import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../../../../apdu/bytes.ts';
import type { Descriptor } from '../../../../bitcoin/descriptor/ast.ts';
import { DescriptorError } from '../../../../bitcoin/errors.ts';
import type { HostChannel } from '../client.ts';
import { decodeXpub, type ExtendedPubkey } from '../keys.ts';
import { Reply } from '../reply.ts';
import { parseTemplate } from './template.ts';

export const MAX_WALLET_NAME_LENGTH = 64;
export const MAX_SERIALIZED_POLICY = 147;
const MAX_TEMPLATE_V1 = 40;
const MAX_TEMPLATE_V2 = 512;
/** MAX_POLICY_KEY_INFO_LEN: 46 + 113 + 3 bytes. */
export const MAX_KEY_INFO_LEN = 46 + 113 + 3;

export interface WalletHeader {
  version: number;
  name: string;
  templateLength: number;
  /** V2: SHA-256 of the template. */
  templateHash?: Uint8Array;
  /** V1: the template itself. */
  template?: string;
  nKeys: number;
  keysRoot: Uint8Array;
  /** The serialized bytes the header was read from (the wallet id is their SHA-256). */
  serialized: Uint8Array;
}

/** Reads a header; undefined when malformed (the app answers 6A80). Trailing bytes are ignored, as in C. */
export function readWalletHeader(r: Reply): WalletHeader | undefined {
  const start = r.offset;
  const version = r.u8();
  if (version !== 1 && version !== 2) return undefined;
  const nameLen = r.u8();
  if (nameLen === undefined || nameLen > MAX_WALLET_NAME_LENGTH) return undefined;
  const name = r.take(nameLen);
  const tlen = r.varint();
  if (name === undefined || tlen === undefined) return undefined;
  if (tlen > BigInt(version === 1 ? MAX_TEMPLATE_V1 : MAX_TEMPLATE_V2)) return undefined;
  const body = r.take(version === 1 ? Number(tlen) : 32);
  const nKeys = r.varint();
  if (body === undefined || nKeys === undefined || nKeys > 252n) return undefined;
  const keysRoot = r.take(32);
  if (keysRoot === undefined) return undefined;
  const header: WalletHeader = {
    version,
    name: String.fromCharCode(...name),
    templateLength: Number(tlen),
    nKeys: Number(nKeys),
    keysRoot: keysRoot.slice(),
    serialized: r.bytes.slice(start, r.offset),
  };
  if (version === 1) header.template = String.fromCharCode(...body);
  else header.templateHash = body.slice();
  return header;
}

/** The wallet id: SHA-256 of the serialized policy (get_policy_wallet_id). */
export function walletId(header: WalletHeader): Uint8Array {
  return sha256(header.serialized);
}

export interface ParsedPolicy {
  header: WalletHeader;
  template: string;
  root: Descriptor;
}

/**
 * read_and_parse_wallet_policy: for V2, GET_PREIMAGE of the template by its hash, then the parse.
 * undefined on any failure.
 */
export async function readAndParsePolicy(host: HostChannel, r: Reply): Promise<ParsedPolicy | undefined> {
  const header = readWalletHeader(r);
  if (!header) return undefined;
  let template: string;
  if (header.version === 1) template = header.template!;
  else {
    const bytes = await host.getPreimage(header.templateHash!, MAX_TEMPLATE_V2);
    if (bytes === undefined) return undefined;
    template = String.fromCharCode(...bytes);
  }
  // the app parses the first descriptor_template_len bytes of what it received
  template = template.slice(0, header.templateLength);
  try {
    return { header, template, root: parseTemplate(template, header.version) };
  } catch (e) {
    if (e instanceof DescriptorError) return undefined;
    throw e;
  }
}

export interface KeyInfo {
  origin?: { fingerprint: number; path: number[] };
  xpub: ExtendedPubkey;
  hasWildcard: boolean;
}

/** parse_policy_map_key_info: "[fpr/path]xpub" (V1 also requires a trailing "/**"). */
export function parseKeyInfo(text: string, version: number): KeyInfo | undefined {
  const m = /^(?:\[([0-9a-f]{8})((?:\/\d+['h]?)*)\])?([A-Za-z0-9]+)(\/\*\*)?$/.exec(text);
  if (!m) return undefined;
  const [, fpr, pathText, xpubText, wildcard] = m;
  if (version === 2 && wildcard) return undefined;
  if (version === 1 && !wildcard) return undefined;
  if (xpubText!.length < 111 || xpubText!.length > 112) return undefined;
  const xpub = decodeXpub(xpubText!);
  if (!xpub) return undefined;
  const info: KeyInfo = { xpub, hasWildcard: !!wildcard };
  if (fpr !== undefined) {
    const path = pathText!
      .split('/')
      .slice(1)
      .map((s) => {
        const hard = s.endsWith("'") || s.endsWith('h');
        const n = Number(hard ? s.slice(0, -1) : s);
        return n < 0x80000000 ? (hard ? n + 0x80000000 : n) : NaN;
      });
    if (path.length > 8 || path.some((n) => !Number.isInteger(n))) return undefined;
    info.origin = { fingerprint: parseInt(fpr, 16) >>> 0, path };
  }
  return info;
}

/** Fetches and parses key information `index` from the keys tree (get_extended_pubkey_from_client). */
export async function fetchKeyInfo(host: HostChannel, header: Pick<WalletHeader, 'keysRoot' | 'nKeys' | 'version'>, index: number): Promise<{ text: string; info: KeyInfo } | undefined> {
  const raw = await host.getMerkleLeafElement(header.keysRoot, header.nKeys, index, MAX_KEY_INFO_LEN);
  if (raw === undefined) return undefined;
  const text = utf8.decode(raw);
  const info = parseKeyInfo(text, header.version);
  return info && { text, info };
}
