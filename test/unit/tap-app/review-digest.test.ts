// SIGN_VPSBT's last line of defence (§5.5 step 3): the signing pass must read what the review pass
// read, compared by the review digest. Through the real client-command channel a host cannot make
// the two passes differ (every answer is proven against the request's roots, and those tests are in
// sign-vpsbt.test.ts), so the digest check never fires alone there. Here the device itself goes
// wrong after the review: its channel resolves the request's input and output trees to another,
// well-formed packet's trees, whose proofs all verify. Only the digest check stands between that
// and a signature over a transfer nobody reviewed.

import { describe, expect, it } from 'vitest';
import { concat, toHex, u16be } from '../../../apdu/bytes.ts';
import { TAP_INS } from '../../../apdu/tap-app/index.ts';
import { encodeVPacket } from '../../../assets/vpsbt/codec.ts';
import type { VPacket } from '../../../assets/vpsbt/packet.ts';
import type { AppFactory } from '../../../emulator/app.ts';
import { HostChannel, type MapCommitment } from '../../../emulator/apps/common/host-channel.ts';
import { TAP_APP_NAME, createTapApp } from '../../../emulator/apps/tap/app.ts';
import { TapError } from '../../../emulator/apps/tap/errors.ts';
import { NonceSlots } from '../../../emulator/apps/tap/nonce-slots.ts';
import { DkgSession } from '../../../emulator/apps/tap/frost/dkg-session.ts';
import { signVpsbtHandler } from '../../../emulator/apps/tap/sign-vpsbt.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import { Responder } from './responder.ts';
import { screenText } from './device.ts';
import { foreignKey, merkleize, signCommand, transferPacket, type Merkleized } from './vpsbt-fixture.ts';

/** A channel that, once `rebound` is set, reads the maps of the trees named in `to` instead of the request's. */
class ReboundChannel extends HostChannel {
  rebound = false;
  mapsRead = { honest: 0, other: 0 };

  constructor(
    io: ConstructorParameters<typeof HostChannel>[0],
    private readonly to: ReadonlyMap<string, Uint8Array>,
  ) {
    super(io, { strictMerkle: true });
  }

  override getMerkleizedMap(
    root: Uint8Array,
    size: number,
    index: number,
    onKey?: (key: Uint8Array, index: number, map: MapCommitment) => Promise<void>,
  ): Promise<MapCommitment | undefined> {
    const other = this.rebound ? this.to.get(toHex(root)) : undefined;
    this.mapsRead[other ? 'other' : 'honest']++;
    return super.getMerkleizedMap(other ?? root, size, index, onKey);
  }
}

/**
 * The Taproot Assets app with SIGN_VPSBT run over a ReboundChannel (every other command as the app
 * runs it); the channel turns once the review is on screen, i.e. after the review pass.
 */
function reboundDevice(to: ReadonlyMap<string, Uint8Array>) {
  const seen: { channel?: ReboundChannel; error?: TapError } = {};
  const factory: AppFactory = () => {
    const app = createTapApp();
    return {
      ...app,
      handle: async (command, io, ctx) => {
        if (command.ins !== TAP_INS.SIGN_VPSBT) return app.handle(command, io, ctx);
        const channel = (seen.channel = new ReboundChannel(io, to));
        try {
          return concat(await signVpsbtHandler({ ctx, host: channel, state: { slots: new NonceSlots(), frostDkg: new DkgSession(), lastVpsbtStats: undefined }, body: command.data }), u16be(0x9000));
        } catch (e) {
          if (!(e instanceof TapError)) throw e;
          seen.error = e;
          return u16be(e.statusWord);
        }
      },
    };
  };
  const device = new EmulatedDevice({ autoApprove: true, apps: { [TAP_APP_NAME]: factory }, startApp: TAP_APP_NAME });
  device.on('screen', () => {
    if (seen.channel && screenText(device).includes('Review asset transfer')) seen.channel.rebound = true;
  });
  return { device, seen };
}

const COURIER = 'authmailbox+universerpc://courier.example:10029';

/** Runs SIGN_VPSBT of `reviewed`; after the review the device reads `signed`'s input and output trees. */
async function signRebound(reviewed: VPacket, signed: VPacket) {
  const h: Merkleized = merkleize(encodeVPacket(reviewed));
  const s: Merkleized = merkleize(encodeVPacket(signed));
  const r = new Responder();
  h.serve(r);
  s.serve(r);
  const { inputsRoot, outputsRoot } = h.request;
  const to = new Map([
    [toHex(inputsRoot), s.request.inputsRoot],
    [toHex(outputsRoot), s.request.outputsRoot],
  ]);
  const { device, seen } = reboundDevice(to);
  const res = await r.run(device, signCommand(h));
  return { res, yields: r.yields, seen };
}

describe('SIGN_VPSBT: the review digest alone', () => {
  it('a signing pass that reads the same packet again signs (the rebinding itself is harmless)', async () => {
    const p = transferPacket({ courier: COURIER });
    const { res, yields, seen } = await signRebound(p, transferPacket({ courier: COURIER }));
    expect(res.statusWord).toBe(0x9000);
    expect(yields).toHaveLength(2);
    expect(seen.channel!.mapsRead.other).toBeGreaterThan(0);
  });

  const others: [string, VPacket][] = [
    ['pays another recipient (the signed virtual transaction changes)', transferPacket({ courier: COURIER, recipientKeys: [foreignKey(9)] })],
    ['sends the proofs to another courier (shown, not signed)', transferPacket({ courier: 'authmailbox+universerpc://evil.example:1' })],
  ];
  it.each(others)('a signing pass that reads a packet which %s: 6A80, no signature', async (_, signed) => {
    const { res, yields, seen } = await signRebound(transferPacket({ courier: COURIER }), signed);
    // Every answer of the signing pass verified against the trees it read: only the digest differs.
    expect(seen.channel!.mapsRead.other).toBeGreaterThan(0);
    expect(seen.error?.reason).toBe('the vPSBT changed between the review and the signing pass');
    expect(res).toEqual({ data: new Uint8Array(), statusWord: 0x6a80 });
    expect(yields).toEqual([]);
  });
});
