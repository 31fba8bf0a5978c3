// The Taproot Assets app's group-genesis signature, rewritten between the real emulated device and
// the host: TapAppClient must refuse it (the check of host/tap-app/client.ts), whether the caller
// gives the asset as a structure or as its encoded leaf.

import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeResponse } from '../../../apdu/apdu.ts';
import { toHex } from '../../../apdu/bytes.ts';
import { SW } from '../../../apdu/status.ts';
import { TAP_INS } from '../../../apdu/tap-app/index.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { encodeAsset, type Asset } from '../../../assets/asset/leaf.ts';
import { ZERO_PREV_ID } from '../../../assets/asset/prev-id.ts';
import { NonSpendLeafVersion, groupKeyTapscriptRoot, groupPubKeyV1 } from '../../../assets/group/group-key.ts';
import type { Transport } from '../../../devices/transport.ts';
import { TapAppClient, groupGenesisSighash } from '../../../host/tap-app/client.ts';
import { inputAsset, tapDevice } from '../../e2e/helpers.ts';

const GROUP_PATH = "m/86'/1'/0'/0/7";

/** Hands every successful SIGN_GROUP_GENESIS answer (signature[64] || group key[32]) to `change`. */
function rewriteGenesis(inner: Transport, change: (data: Uint8Array) => Uint8Array): Transport {
  let ins = 0;
  return {
    kind: 'tampering',
    get busy() {
      return inner.busy;
    },
    async exchange(apdu: Uint8Array) {
      if (apdu[0] !== 0xf8) ins = apdu[1]!;
      const r = decodeResponse(await inner.exchange(apdu));
      if (ins !== TAP_INS.SIGN_GROUP_GENESIS || r.statusWord !== SW.OK) return encodeResponse(r);
      return encodeResponse({ data: change(r.data), statusWord: r.statusWord });
    },
    close: () => inner.close(),
    onDisconnect: (l) => inner.onDisconnect(l),
  };
}

/** Flips one bit of the signature. */
const tamperGenesis = (inner: Transport): Transport =>
  rewriteGenesis(inner, (d) => {
    const data = d.slice();
    data[10] = data[10]! ^ 0x01;
    return data;
  });

/** Answers every SIGN_GROUP_GENESIS after the first with the first one's answer (a replayed, valid signature). */
function replayGenesis(inner: Transport): Transport {
  let first: Uint8Array | undefined;
  return rewriteGenesis(inner, (d) => (first ??= d));
}

async function genesis(between: (inner: Transport) => Transport = tamperGenesis) {
  const { transport, client } = tapDevice();
  const raw = (await client.getKey(GROUP_PATH)).pubkey;
  const base = inputAsset(raw, 21_000n, 'lying-genesis').asset;
  const id = assetId(base.genesis);
  const asset: Asset = { ...base, groupKey: groupPubKeyV1(raw, NonSpendLeafVersion.opReturn, id), prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }] };
  const args = { keyVersion: 1 as const, groupKeyPath: GROUP_PATH, tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, id) };
  return { lying: new TapAppClient(between(transport)), asset, args };
}

describe('SIGN_GROUP_GENESIS through a transport that rewrites the signature', () => {
  it.each([
    ['the asset', (a: Asset) => a],
    ['its encoded leaf', (a: Asset) => encodeAsset(a)],
  ])('is refused when the caller gives %s', async (_, form) => {
    const { lying, asset, args } = await genesis();
    await expect(lying.signGroupGenesis({ ...args, asset: form(asset) })).rejects.toMatchObject({
      code: 'E_DEVICE_RESPONSE',
      message: 'SIGN_GROUP_GENESIS: the signature does not verify against the returned group key',
    });
  });

  it("a valid signature by the group key over another genesis (the answer to an earlier request, replayed) is refused", async () => {
    const { lying: client, asset, args } = await genesis(replayGenesis);
    const signed = await client.signGroupGenesis({ ...args, asset });
    // Same genesis and group key, another amount: another group virtual transaction to sign.
    const more: Asset = { ...asset, amount: asset.amount + 1n };
    expect(toHex(groupGenesisSighash(more, signed.tweakedGroupKey))).not.toBe(toHex(groupGenesisSighash(asset, signed.tweakedGroupKey)));
    await expect(client.signGroupGenesis({ ...args, asset: more })).rejects.toMatchObject({
      code: 'E_DEVICE_RESPONSE',
      message: 'SIGN_GROUP_GENESIS: the signature does not verify against the returned group key',
    });
  });
});
