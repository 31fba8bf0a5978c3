// SIGN_GROUP_GENESIS through TapAppClient: the device signs a grouped genesis for a V1 group key
// (tapd's OP_RETURN non-spendable leaf committing to the genesis asset ID); the client checks the
// signature, and the asset with the witness in place passes the asset VM port.

import { describe, expect, it } from 'vitest';
import { toHex } from '../../apdu/bytes.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import type { Asset } from '../../assets/asset/leaf.ts';
import { ZERO_PREV_ID } from '../../assets/asset/prev-id.ts';
import { NonSpendLeafVersion, groupKeyTapscriptRoot, groupPubKeyV1 } from '../../assets/group/group-key.ts';
import { verifyStateTransition } from '../../assets/vtx/verify.ts';
import { inputAsset, tapDevice } from './helpers.ts';

const GROUP_PATH = "m/86'/1'/0'/0/7";

describe('group genesis signed by the emulated device', () => {
  it('V1 group key: signature verifies, the asset VM accepts the group witness', async () => {
    const { client } = tapDevice();
    const raw = (await client.getKey(GROUP_PATH)).pubkey;
    const base = inputAsset(raw, 21_000n, 'e2e-grouped').asset;
    const id = assetId(base.genesis);
    const groupKey = groupPubKeyV1(raw, NonSpendLeafVersion.opReturn, id);
    const asset: Asset = { ...base, groupKey, prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }] };
    const r = await client.signGroupGenesis({ asset, keyVersion: 1, groupKeyPath: GROUP_PATH, tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, id) });
    expect(toHex(r.tweakedGroupKey)).toBe(toHex(groupKey.subarray(1)));
    asset.prevWitnesses[0]!.txWitness = [r.signature];
    verifyStateTransition(asset, [], []);
  });
});
