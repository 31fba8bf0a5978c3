// A wallet policy as the device receives it: the serialized header (wallet.c
// read_wallet_policy_header), the descriptor template fetched by its hash, and key information
// strings fetched one by one from the keys Merkle tree (parse_policy_map_key_info).

import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, utf8 } from '../../../../apdu/bytes.ts';
import {
  MAX_DESCRIPTOR_TEMPLATE_LENGTH_V2,
  MAX_WALLET_NAME_LENGTH,
  readWalletPolicyHeader,
  WALLET_POLICY_V1,
  type WalletPolicyHeader,
} from '../../../../apdu/bitcoin-app/wallet-header.ts';
import { CodecError } from '../../../../apdu/errors.ts';
import type { Descriptor } from '../../../../bitcoin/descriptor/ast.ts';
import { DescriptorError } from '../../../../bitcoin/errors.ts';
import type { HostChannel } from '../../common/host-channel.ts';
import { decodeXpub, type ExtendedPubkey } from '../../common/keys.ts';
import { parseTemplate } from './template.ts';

export { MAX_WALLET_NAME_LENGTH };
export const MAX_SERIALIZED_POLICY = 147;
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

/**
 * Reads a header with the shared codec (apdu/bitcoin-app/wallet-header.ts); undefined when
 * malformed (the app answers 6A80). Trailing bytes are ignored, as in C.
 */
export function readWalletHeader(bytes: Uint8Array): WalletHeader | undefined {
  const r = new ByteReader(bytes, 'wallet policy');
  let h: WalletPolicyHeader;
  try {
    h = readWalletPolicyHeader(r);
  } catch (e) {
    if (e instanceof CodecError) return undefined;
    throw e;
  }
  const common = { version: h.version, name: String.fromCharCode(...h.name), nKeys: h.keyCount, keysRoot: h.keysRoot, serialized: bytes.slice(0, r.offset) };
  return h.version === WALLET_POLICY_V1
    ? { ...common, templateLength: h.template.length, template: String.fromCharCode(...h.template) }
    : { ...common, templateLength: h.templateLength, templateHash: h.templateHash };
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
export async function readAndParsePolicy(host: HostChannel, serialized: Uint8Array): Promise<ParsedPolicy | undefined> {
  const header = readWalletHeader(serialized);
  if (!header) return undefined;
  let template: string;
  if (header.version === 1) template = header.template!;
  else {
    const bytes = await host.getPreimage(header.templateHash!, MAX_DESCRIPTOR_TEMPLATE_LENGTH_V2);
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
