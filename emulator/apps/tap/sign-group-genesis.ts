// SIGN_GROUP_GENESIS (§5.6): the group witness of a grouped asset's genesis. The device fetches the
// genesis asset leaf, computes its asset ID, the tweaked group key from its own raw key (V0: and the
// group anchor's asset ID, the minted asset's own unless the request names another) and the
// virtual transaction's key-path sighash itself (assets/), shows name, amount, asset ID, owner and
// group key, and on approval signs with the tweaked group key. The group key may have no script
// path the review does not show: V1 only the bare non-spendable leaf over the anchor's asset ID,
// V0 no tapscript root at all (a hidden `<key> OP_CHECKSIG` leaf could issue into the group alone).

import { bytesToNumberBE } from '@noble/curves/utils.js';
import { equal, toHex } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { MAX_GENESIS_ASSET_LENGTH, signGroupGenesis } from '../../../apdu/tap-app/sign-group-genesis.ts';
import { TAP_SW } from '../../../apdu/tap-app/status.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { decodeAsset, type Asset } from '../../../assets/asset/leaf.ts';
import { CURVE_ORDER, Point, taprootTweak } from '../../../assets/crypto.ts';
import { AssetVerifyError } from '../../../assets/errors.ts';
import { escapeText, units } from '../../../assets/display/text.ts';
import { NonSpendLeafVersion, groupKeyTapscriptRoot, groupPubKeyV0 } from '../../../assets/group/group-key.ts';
import { genesisPrevOut, isGroupGenesis, virtualTx, virtualTxSighash } from '../../../assets/vtx/virtual-tx.ts';
import type { ReviewFlow } from '../../ui/review.ts';
import type { TapHandler } from './command.ts';
import { decodeBody } from './decode.ts';
import { TapError, denied, incorrectData, unverified } from './errors.ts';
import { isStandardTapPath, publicKeyAt } from './keys.ts';
import { signWithScriptKey } from './script-key.ts';

/**
 * The tapscript root a group key may carry: for V1 exactly the non-spendable leaf committing to the
 * group anchor's asset ID (OP_RETURN or Pedersen form, tapd NewGroupKeyTapscriptRoot without a custom
 * subtree), for V0 none. Anything else hides a spending path the review cannot show: 6A80.
 */
function checkTapscriptRoot(keyVersion: number, root: Uint8Array | undefined, anchor: Uint8Array): void {
  if (keyVersion === 0) {
    if (root) throw incorrectData('tapscript_root: a V0 group key with a script root can be spent by scripts the review does not show');
    return;
  }
  const bare = [NonSpendLeafVersion.opReturn, NonSpendLeafVersion.pedersen].map((v) => groupKeyTapscriptRoot(v, anchor));
  if (!root || !bare.some((b) => equal(b, root)))
    throw incorrectData("tapscript_root: expected the bare non-spendable leaf over the group anchor's asset ID; another tree can hold leaves the review does not show");
}

export function groupReview(a: Asset, id: Uint8Array, anchor: Uint8Array, groupKey: Uint8Array): ReviewFlow {
  return {
    intro: 'Review asset group',
    pairs: [
      { item: 'Asset name', value: a.genesis.tag === '' ? '(empty)' : escapeText(a.genesis.tag) },
      { item: 'Amount', value: units(a.amount) },
      { item: 'Asset ID', value: toHex(id) },
      // Who receives the minted units: the genesis asset's script key, signed through the group virtual tx.
      { item: 'Owner', value: `script key ${toHex(a.scriptKey.subarray(1))}` },
      // A re-issuance into a V0 group: the key is tweaked with the group's first asset ID.
      ...(equal(anchor, id) ? [] : [{ item: 'Group anchor', value: toHex(anchor) }]),
      { item: 'Group key', value: toHex(groupKey) },
    ],
    finish: { text: 'Sign asset group', action: 'hold' },
    approved: 'Asset group signed',
    rejected: 'Asset group rejected',
    reject: 'Reject asset group',
  };
}

export const signGroupGenesisHandler: TapHandler = async (cmd) => {
  const req = decodeBody(signGroupGenesis, cmd.body);
  if (req.groupKeyPath.length !== 5 || !isStandardTapPath(req.groupKeyPath))
    throw new TapError(TAP_SW.NOT_SUPPORTED, 'group key path: expected a standard group internal key path');
  const bytes = await cmd.host.getPreimage(req.assetHash, MAX_GENESIS_ASSET_LENGTH);
  if (bytes === undefined) throw unverified('genesis asset');
  if (bytes.length !== req.assetLength) throw incorrectData(`genesis asset: expected ${req.assetLength} bytes, got ${bytes.length}`);
  let asset: Asset;
  let id: Uint8Array;
  let anchor: Uint8Array;
  let groupKey: Uint8Array;
  let sighash: Uint8Array;
  const raw = publicKeyAt(cmd.ctx, req.groupKeyPath);
  try {
    asset = decodeAsset(bytes, 'genesis asset');
    if (!isGroupGenesis(asset)) throw incorrectData('genesis asset: expected a grouped genesis (group key, one zero prev ID witness)');
    id = assetId(asset.genesis);
    anchor = req.anchorAssetId ?? id;
    checkTapscriptRoot(req.keyVersion, req.tapscriptRoot, anchor);
    const tweak = req.tapscriptRoot ?? new Uint8Array();
    groupKey = (req.keyVersion === 0 ? groupPubKeyV0(raw, anchor, req.tapscriptRoot) : taprootTweak(Point.fromBytes(raw), tweak).toBytes(true)).subarray(1);
    if (!equal(asset.groupKey!.subarray(1), groupKey)) throw new TapError(TAP_SW.KEY_NOT_HELD, "genesis asset: its group key is not this device's");
    sighash = virtualTxSighash(virtualTx(asset, []), asset, 0, genesisPrevOut(asset));
  } catch (e) {
    if (e instanceof CodecError || e instanceof AssetVerifyError) throw incorrectData(e.message);
    throw e;
  }
  if (!(await cmd.ctx.review(groupReview(asset, id, anchor, groupKey)))) throw denied();
  // V0 signs with raw + anchor asset ID first (tapd GroupPubKeyV0), then the taptweak as for V1.
  const idTweak = req.keyVersion === 0 ? bytesToNumberBE(anchor) % CURVE_ORDER : 0n;
  const signature = signWithScriptKey(cmd.ctx, { path: req.groupKeyPath, scriptKey: groupKey, tweak: req.tapscriptRoot ?? new Uint8Array(), preTweak: idTweak }, sighash);
  return signGroupGenesis.encodeResponse({ signature, tweakedGroupKey: groupKey });
};
