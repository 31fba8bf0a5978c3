// The JSON `tapcli assets mint fund` prints (taprpc FundBatchResponse): for each asset of the batch
// that needs a group witness, `batch.unsealed_assets[i]` carries the `group_virtual_psbt` (base64),
// the genesis asset leaf (`group_key_request.new_asset`, hex TLV) and the group anchor's genesis
// (`group_key_request.anchor_genesis.asset_id`). Those are what the Taproot Assets app shows and
// what binds the PSBT to the asset (group-psbt.ts).

import { base64 } from '@scure/base';
import { fromHex } from '../../apdu/bytes.ts';
import { decodeAsset, type Asset } from '../../assets/asset/leaf.ts';
import { isTaprootHwError } from '../../apdu/errors.ts';
import { HostError } from '../errors.ts';

export interface UnsealedGroupAsset {
  name: string;
  groupVirtualPsbt: Uint8Array;
  asset: Asset;
  anchorAssetId: Uint8Array | undefined;
  /** The mint request's custom tapscript subtree root, when one was given. */
  customSubtreeRoot: Uint8Array | undefined;
}

type Json = Record<string, unknown>;

const obj = (v: unknown, what: string): Json => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HostError('E_TAPD_RESPONSE', `${what}: expected an object`);
  return v as Json;
};
const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string') throw new HostError('E_TAPD_RESPONSE', `${what}: expected a string, got ${v === undefined ? 'nothing' : typeof v}`);
  return v;
};
const hexField = (v: unknown, what: string, length?: number): Uint8Array => {
  const s = str(v, what);
  if (!/^([0-9a-fA-F]{2})*$/.test(s) || (length !== undefined && s.length !== length * 2))
    throw new HostError('E_TAPD_RESPONSE', `${what}: expected ${length ? `${length} bytes of ` : ''}hex, got "${s.slice(0, 20)}${s.length > 20 ? '…' : ''}"`);
  return fromHex(s);
};

/** The assets of a fund response that carry a group virtual PSBT, in batch order. */
export function parseFundResponse(text: string): UnsealedGroupAsset[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new HostError('E_TAPD_RESPONSE', 'fund response: expected the JSON `tapcli assets mint fund` prints, got text that does not parse');
  }
  const batch = obj(obj(doc, 'fund response').batch, 'fund response.batch');
  const unsealed = batch.unsealed_assets;
  if (!Array.isArray(unsealed)) throw new HostError('E_TAPD_RESPONSE', 'fund response.batch.unsealed_assets: expected a list');
  const out: UnsealedGroupAsset[] = [];
  unsealed.forEach((u, i) => {
    const w = `unsealed_assets[${i}]`;
    const entry = obj(u, w);
    if (entry.group_virtual_psbt === undefined || entry.group_virtual_psbt === '') return;
    const req = obj(entry.group_key_request, `${w}.group_key_request`);
    let psbt: Uint8Array;
    try {
      psbt = base64.decode(str(entry.group_virtual_psbt, `${w}.group_virtual_psbt`));
    } catch (err) {
      if (isTaprootHwError(err, 'E_TAPD_RESPONSE')) throw err;
      throw new HostError('E_TAPD_RESPONSE', `${w}.group_virtual_psbt: expected base64`);
    }
    const asset = decodeAsset(hexField(req.new_asset, `${w}.group_key_request.new_asset`));
    const anchor = req.anchor_genesis === undefined || req.anchor_genesis === null ? undefined : obj(req.anchor_genesis, `${w}.group_key_request.anchor_genesis`);
    const fullRoot = typeof req.tapscript_root === 'string' ? req.tapscript_root : '';
    const assetInfo = entry.asset === undefined ? {} : obj(entry.asset, `${w}.asset`);
    const custom = typeof assetInfo.group_tapscript_root === 'string' ? assetInfo.group_tapscript_root : '';
    out.push({
      name: typeof assetInfo.name === 'string' ? assetInfo.name : asset.genesis.tag,
      groupVirtualPsbt: psbt,
      asset,
      anchorAssetId: anchor ? hexField(anchor.asset_id, `${w}.group_key_request.anchor_genesis.asset_id`, 32) : undefined,
      // Before sealing, the asset's group_tapscript_root is the custom subtree root of the request.
      customSubtreeRoot: custom !== '' && custom !== fullRoot ? hexField(custom, `${w}.asset.group_tapscript_root`, 32) : undefined,
    });
  });
  if (out.length === 0) throw new HostError('E_TAPD_RESPONSE', 'fund response: no unsealed asset carries a group_virtual_psbt (nothing to sign)');
  return out;
}
