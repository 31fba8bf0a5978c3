// Asset genesis (asset/asset.go Genesis, GenesisEncoder) and the asset ID derived from it:
// ID = SHA256(outpoint (wire) || SHA256(tag) || meta_hash || u32be(output_index) || u8(type)).

import { ByteReader, concat, u32be, utf8 } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { sha256 } from '../crypto.ts';
import { encodeInlineBytes, readInlineBytes, readValue } from '../tlv/values.ts';
import { encodeOutPointTlv, encodeOutPointWire, readOutPointTlv, type OutPoint } from './outpoint.ts';

/** asset.MaxAssetNameLength: the decoder refuses longer tags. */
export const MAX_ASSET_NAME_LENGTH = 64;

export const AssetType = { Normal: 0, Collectible: 1 } as const;

export interface Genesis {
  firstPrevOut: OutPoint;
  /** The asset's name as people know it. */
  tag: string;
  metaHash: Uint8Array;
  outputIndex: number;
  /** 0 normal, 1 collectible. */
  type: number;
}

export function encodeGenesis(g: Genesis): Uint8Array {
  return concat(encodeOutPointTlv(g.firstPrevOut), encodeInlineBytes(utf8.encode(g.tag)), g.metaHash, u32be(g.outputIndex), Uint8Array.of(g.type));
}

export function readGenesis(r: ByteReader, field: string): Genesis {
  const firstPrevOut = readOutPointTlv(r, `${field}.firstPrevOut`);
  const tagBytes = readInlineBytes(r, `${field}.tag`, MAX_ASSET_NAME_LENGTH);
  let tag: string;
  try {
    tag = utf8.decode(tagBytes);
  } catch {
    throw new CodecError(`${r.what}.${field}.tag: expected UTF-8 text`);
  }
  const metaHash = r.bytesN(32, `${field}.metaHash`);
  const outputIndex = r.u32be(`${field}.outputIndex`);
  const type = r.u8(`${field}.type`);
  return { firstPrevOut, tag, metaHash, outputIndex, type };
}

export function decodeGenesis(bytes: Uint8Array, what = 'genesis'): Genesis {
  return readValue(bytes, what, (r) => readGenesis(r, 'genesis'));
}

export function assetId(g: Genesis): Uint8Array {
  return sha256(
    concat(encodeOutPointWire(g.firstPrevOut), sha256(utf8.encode(g.tag)), g.metaHash, u32be(g.outputIndex), Uint8Array.of(g.type)),
  );
}
