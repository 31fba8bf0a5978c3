// A FROST participant on a device running the Taproot Assets app (docs/frost.md §3): the host side
// of FROST_DKG_ROUND1/2/3, FROST_COMMIT and FROST_SIGN. Values too large for an APDU are served as
// preimages; what the device yields is reassembled and decoded with the shared codecs, and nothing
// it returns is trusted unchecked (the orchestrator verifies packages and shares across participants).

import { equal, toHex } from '../../apdu/bytes.ts';
import {
  MAX_FROST_PARTICIPANTS,
  commitPreimage,
  decodeEncryptedShares,
  decodeKeyPackage,
  decodeRound1Package,
  encodeDkgTranscript,
  encodeEncryptedShares,
  encodeKeyPackage,
  encodeNonceCommitments,
  keyPackageHash,
  type DkgTranscript,
  type EncryptedShare,
  type FrostKeyPackage,
  type FrostNonceCommitment,
  type FrostRound1Package,
} from '../../apdu/tap-app/frost-data.ts';
import { FROST_YIELD_CHUNK, frostCommit, frostDkgRound1, frostDkgRound2, frostDkgRound3, frostSign, frostSignGroupGenesis, type FrostTweak } from '../../apdu/tap-app/frost.ts';
import { encodeAsset } from '../../assets/asset/leaf.ts';
import { concat } from '../../apdu/bytes.ts';
import type { CommandSpec } from '../../apdu/tap-app/spec.ts';
import { ClientCommandInterpreter } from '../client-commands.ts';
import type { TapAppClient } from '../tap-app/client.ts';
import type { VpsbtFrostShare } from '../tap-app/vpsbt-stream.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';
import { decodedFromDevice } from '../exchange.ts';
import { HostError } from '../errors.ts';
import type { FrostCommitted, FrostDkgOutcome, FrostDkgParticipant, FrostGroupGenesis, FrostSigner, FrostSigningSession } from './participant.ts';

/** The device's key-set material: its share, wrapped to its seed and the key package. */
export interface WrappedFrostShare {
  index: number;
  wrappedShare: Uint8Array;
  keyPackage: FrostKeyPackage;
}

/** Runs one command whose result the device yields in chunks; returns the response and the joined yields. */
async function callYielding<Req, Res>(client: TapAppClient, spec: CommandSpec<Req, Res>, req: Req, maxBytes: number, preimages: Uint8Array[] = []) {
  const it = new ClientCommandInterpreter(Math.ceil(maxBytes / FROST_YIELD_CHUNK));
  for (const p of preimages) it.addKnownPreimage(p);
  const response = await client.call(spec, req, it);
  return { response, yielded: concat(...it.yielded) };
}

export class DeviceFrostParticipant implements FrostDkgParticipant {
  private handle: Uint8Array | undefined;
  private params: { threshold: number; participants: number; index: number } | undefined;

  constructor(
    readonly client: TapAppClient,
    readonly name: string,
  ) {}

  async round1(threshold: number, participants: number, index: number): Promise<FrostRound1Package> {
    const max = 1 + 33 + MAX_FROST_PARTICIPANTS * 33 + 64;
    const { response, yielded } = await callYielding(this.client, frostDkgRound1, { threshold, participants, index }, max);
    const round1 = decodedFromDevice('FROST_DKG_ROUND1 yield', () => decodeRound1Package(yielded, threshold, participants));
    if (round1.index !== index) throw new HostError('E_DEVICE_RESPONSE', `FROST_DKG_ROUND1: expected participant ${index}, got ${round1.index}`);
    this.handle = response;
    this.params = { threshold, participants, index };
    return round1;
  }

  private dkg() {
    if (!this.handle || !this.params) throw new HostError('E_DEVICE_RESPONSE', `${this.name}: FROST DKG round 1 has not run`);
    return { handle: this.handle, ...this.params };
  }

  async round2(transcript: DkgTranscript): Promise<EncryptedShare[]> {
    const { handle, participants } = this.dkg();
    const bytes = encodeDkgTranscript(transcript);
    const { yielded } = await callYielding(this.client, frostDkgRound2, { handle, transcript: commitPreimage(bytes) }, 1 + participants * 50, [bytes]);
    return decodedFromDevice('FROST_DKG_ROUND2 yield', () => decodeEncryptedShares(yielded, participants));
  }

  async round3(transcript: DkgTranscript, shares: readonly EncryptedShare[]): Promise<FrostDkgOutcome & { signer: DeviceFrostSigner }> {
    const { handle, index } = this.dkg();
    const t = encodeDkgTranscript(transcript);
    const s = encodeEncryptedShares(shares);
    const { response, yielded } = await callYielding(
      this.client,
      frostDkgRound3,
      { handle, transcript: commitPreimage(t), shares: commitPreimage(s) },
      2 + 2 * MAX_FROST_PARTICIPANTS * 33,
      [t, s],
    );
    const keyPackage = decodedFromDevice('FROST_DKG_ROUND3 yield', () => decodeKeyPackage(yielded));
    if (!equal(keyPackageHash(keyPackage), response.keySetId))
      throw new HostError('E_DEVICE_RESPONSE', `FROST_DKG_ROUND3: the yielded key package does not hash to the key-set ID ${toHex(response.keySetId)}`);
    if (response.wrappedShare[0] !== index)
      throw new HostError('E_DEVICE_RESPONSE', `FROST_DKG_ROUND3: expected a share of participant ${index}, got participant ${response.wrappedShare[0]}`);
    this.handle = undefined;
    const signer = new DeviceFrostSigner(this.client, this.name, { index, wrappedShare: response.wrappedShare, keyPackage });
    return { keyPackage, signer, share: response.wrappedShare };
  }
}

export class DeviceFrostSigner implements FrostSigner {
  readonly index: number;

  constructor(
    readonly client: TapAppClient,
    readonly name: string,
    readonly share: WrappedFrostShare,
  ) {
    this.index = share.index;
  }

  /** FROST_COMMIT; the nonce is bound to the session's message unless `bindMessage` is false. */
  async commit(session: FrostSigningSession, { bindMessage = true }: { bindMessage?: boolean } = {}): Promise<FrostCommitted & { handle: Uint8Array }> {
    const pkg = encodeKeyPackage(session.keyPackage);
    const it = new ClientCommandInterpreter();
    it.addKnownPreimage(pkg);
    const { wrappedShare } = this.share;
    const keyPackage = commitPreimage(pkg);
    const res = await this.client.call(
      frostCommit,
      bindMessage ? { wrappedShare, keyPackage, message: session.message } : { wrappedShare, keyPackage },
      it,
    );
    const commitment: FrostNonceCommitment = { index: this.index, hiding: res.hiding, binding: res.binding };
    const client = this.client;
    const { vpsbt, groupGenesis } = session;
    const handle = res.handle;
    return {
      handle,
      commitment,
      sign: vpsbt
        ? (commitments) => signVpsbtOnDevice(client, vpsbt.packet, { input: vpsbt.input, handle, wrappedShare, keyPackage: session.keyPackage, commitments })
        : groupGenesis
          ? (commitments) => signGroupGenesisOnDevice(client, handle, wrappedShare, pkg, commitments, groupGenesis)
          : (commitments) => signOnDevice(client, handle, wrappedShare, pkg, session.message, session.tweak, commitments),
    };
  }
}

/** FROST_SIGN_GROUP_GENESIS: the device reviews the asset group and signs the genesis sighash it computes. */
export async function signGroupGenesisOnDevice(
  client: TapAppClient,
  handle: Uint8Array,
  wrappedShare: Uint8Array,
  keyPackageBytes: Uint8Array,
  commitments: readonly FrostNonceCommitment[],
  g: FrostGroupGenesis,
): Promise<Uint8Array> {
  const list = encodeNonceCommitments(commitments);
  const asset = encodeAsset(g.asset);
  const it = new ClientCommandInterpreter();
  for (const p of [keyPackageBytes, list, asset]) it.addKnownPreimage(p);
  const req = { handle, wrappedShare, keyPackage: commitPreimage(keyPackageBytes), commitments: commitPreimage(list), asset: commitPreimage(asset), leafVersion: g.leafVersion };
  return client.call(frostSignGroupGenesis, g.anchorAssetId ? { ...req, anchorAssetId: g.anchorAssetId } : req, it);
}

/** The device's share for one vPSBT input through SIGN_VPSBT: it reviews the transfer and signs the sighash it computes. */
async function signVpsbtOnDevice(client: TapAppClient, packet: VPacket, share: VpsbtFrostShare): Promise<Uint8Array> {
  const { frostShares } = await client.signVpsbtFrost(packet, [share]);
  return frostShares[0]!.signatureShare;
}

export async function signOnDevice(
  client: TapAppClient,
  handle: Uint8Array,
  wrappedShare: Uint8Array,
  keyPackageBytes: Uint8Array,
  message: Uint8Array,
  tweak: FrostTweak,
  commitments: readonly FrostNonceCommitment[],
): Promise<Uint8Array> {
  const list = encodeNonceCommitments(commitments);
  const it = new ClientCommandInterpreter();
  it.addKnownPreimage(keyPackageBytes);
  it.addKnownPreimage(list);
  return client.call(frostSign, { handle, wrappedShare, keyPackage: commitPreimage(keyPackageBytes), message, tweak, commitments: commitPreimage(list) }, it);
}
