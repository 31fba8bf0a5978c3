// FROST_SIGN_GROUP_GENESIS (docs/frost.md §2.6, §3): the genesis witness of an asset group whose
// raw group key is a FROST group key. As SIGN_GROUP_GENESIS (docs/tap-app-protocol.md §5.6) the
// device fetches the genesis asset, computes its asset ID, the V1 group key and the group virtual
// transaction's sighash itself; the key here is the key package's group key tweaked by the bare
// non-spendable leaf over the anchor's asset ID (built on the device, so the key has no leaf the
// review does not show). It shows the asset group review with the key set, and on approval signs
// with the nonce FROST_COMMIT left in the slot: the message is the device's own, not blind signing.

import { CodecError } from '../../../../apdu/errors.ts';
import { decodeKeyPackage, decodeNonceCommitments } from '../../../../apdu/tap-app/frost-data.ts';
import { frostSignGroupGenesis } from '../../../../apdu/tap-app/frost.ts';
import { TAP_SW } from '../../../../apdu/tap-app/status.ts';
import { equal } from '../../../../apdu/bytes.ts';
import { assetId } from '../../../../assets/asset/genesis.ts';
import { decodeAsset } from '../../../../assets/asset/leaf.ts';
import { AssetVerifyError } from '../../../../assets/errors.ts';
import { groupKeyTapscriptRoot, type NonSpendLeafVersion } from '../../../../assets/group/group-key.ts';
import { genesisPrevOut, isGroupGenesis, virtualTx, virtualTxSighash } from '../../../../assets/vtx/virtual-tx.ts';
import type { TapHandler } from '../command.ts';
import { decodeBody } from '../decode.ts';
import { TapError, denied, incorrectData } from '../errors.ts';
import { groupReview } from '../sign-group-genesis.ts';
import { fetchCommitted } from './fetch.ts';
import { openKeySet, signWithNonceSlot, wipeKeySet } from './sign.ts';

function genesis(bytes: Uint8Array) {
  try {
    const asset = decodeAsset(bytes, 'genesis asset');
    if (!isGroupGenesis(asset)) throw incorrectData('genesis asset: expected a grouped genesis (group key, one zero prev ID witness)');
    return { asset, sighash: virtualTxSighash(virtualTx(asset, []), asset, 0, genesisPrevOut(asset)) };
  } catch (e) {
    if (e instanceof CodecError || e instanceof AssetVerifyError) throw incorrectData(e.message);
    throw e;
  }
}

export const frostSignGroupGenesisHandler: TapHandler = async (cmd) => {
  const req = decodeBody(frostSignGroupGenesis, cmd.body);
  const { slots } = cmd.state;
  if (!slots.find(req.handle)) throw new TapError(TAP_SW.NONCE_SESSION_UNKNOWN, 'no live FROST nonce has this handle');
  const { value: g } = await fetchCommitted(cmd.host, req.asset, 'genesis asset', genesis);
  const id = assetId(g.asset.genesis);
  const anchor = req.anchorAssetId ?? id;
  const tweak = { kind: 'merkleRoot', root: groupKeyTapscriptRoot(req.leafVersion as NonSpendLeafVersion, anchor) } as const;
  const { value: keyPackage } = await fetchCommitted(cmd.host, req.keyPackage, 'key package', decodeKeyPackage);
  const keySet = openKeySet(cmd.ctx, keyPackage, req.keyPackage.hash, req.wrappedShare);
  try {
    const n = keyPackage.verifyingShares.length;
    const { value: commitments } = await fetchCommitted(cmd.host, req.commitments, 'commitments', (b) => decodeNonceCommitments(b, keyPackage.threshold, n));
    const share = await signWithNonceSlot(slots, { handle: req.handle, keySet, commitments, tweak }, g.sighash, async (groupKey) => {
      if (!equal(g.asset.groupKey!.subarray(1), groupKey)) throw new TapError(TAP_SW.KEY_NOT_HELD, "genesis asset: its group key is not this key set's");
      const flow = groupReview(g.asset, id, anchor, groupKey);
      flow.pairs.push({ item: 'FROST key set', value: `${keyPackage.threshold} of ${n}, this device participant ${keySet.index}` });
      if (!(await cmd.ctx.review(flow))) {
        slots.wipe(req.handle);
        throw denied();
      }
    });
    return frostSignGroupGenesis.encodeResponse(share);
  } finally {
    wipeKeySet(keySet);
  }
};
