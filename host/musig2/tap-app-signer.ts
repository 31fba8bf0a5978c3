// A device running the Taproot Assets app as a MuSig2 participant (docs/tap-app-protocol.md §5.4):
// round 1 is MUSIG_ROUND1 with the message bound, round 2 MUSIG_ROUND2 on the returned handle. The
// message comes from the host, so the device treats round 2 as blind signing: it needs the
// device's blind-signing setting and shows the message hash and aggregate key.

import { equal, toHex } from '../../apdu/bytes.ts';
import { parsePath, type PathLike } from '../../apdu/path.ts';
import type { KeyAggContext } from '../../apdu/tap-app/keyagg.ts';
import { TapAppClient } from '../tap-app/client.ts';
import type { MusigSession, MusigSigner, SignerRound1 } from './signer.ts';
import { HostError } from '../errors.ts';

export class TapAppMusigSigner implements MusigSigner {
  private constructor(
    readonly client: TapAppClient,
    readonly path: number[],
    readonly publicKey: Uint8Array,
    readonly name: string,
  ) {}

  /** Reads the device's key at `path` (a standard tapd path, or any path after a review with `display`). */
  static async open(client: TapAppClient, path: PathLike, { name, display = false }: { name?: string; display?: boolean } = {}): Promise<TapAppMusigSigner> {
    const key = await client.getKey(path, { display });
    return new TapAppMusigSigner(client, key.path, key.pubkey, name ?? `device ${toHex(key.fingerprint)} (Taproot Assets app)`);
  }

  keyAggContext(session: MusigSession): KeyAggContext {
    return {
      participants: [...session.participants],
      tweaks: session.tweaks.map((tweak, i) => ({ tweak, xOnly: session.isXonly[i]! })),
      ownPath: parsePath(this.path),
    };
  }

  async round1(session: MusigSession): Promise<SignerRound1> {
    const ctx = this.keyAggContext(session);
    const r1 = await this.client.musigRound1(ctx, { message: session.message });
    if (!equal(r1.aggregateXOnly, session.aggregateXOnly))
      throw new HostError('E_DEVICE_RESPONSE', `MUSIG_ROUND1: the device aggregated ${toHex(r1.aggregateXOnly)}, the host ${toHex(session.aggregateXOnly)}`);
    return {
      pubnonce: r1.pubnonce,
      round2: ({ aggnonce }) => this.client.musigRound2(r1.handle, aggnonce, session.message, ctx),
    };
  }
}
