// TapAppClient: the Taproot Assets device app (docs/tap-app-protocol.md) over any Transport. Each
// method builds its request with the shared specs in apdu/tap-app, answers the device's client
// commands with the Bitcoin app's interpreter (same codes, same commit-and-reveal, §2), and returns
// typed results. Failing status words become the typed errors of apdu/tap-app/status.ts.

import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CommandApdu } from '../../apdu/apdu.ts';
import { equal, toHex } from '../../apdu/bytes.ts';
import { parsePath, type PathLike } from '../../apdu/path.ts';
import { DeviceStatusError, SW } from '../../apdu/status.ts';
import { GET_APP_AND_VERSION_APDU, getAppAndVersion, type AppAndVersion } from '../../apdu/app-and-version.ts';
import {
  commitKeyAgg,
  getAppInfo,
  getKey,
  getMasterFingerprint,
  isTapCommand,
  musigRound1,
  musigRound2,
  signGroupGenesis,
  TAP_APP,
  tapCommand,
  xpubPublicKey,
  type CommandSpec,
  type GroupKeyVersionValue,
  type KeyAggContext,
  type TapAppInfo,
} from '../../apdu/tap-app/index.ts';
import type { Transport } from '../../devices/transport.ts';
import { decodeAsset, encodeAsset, type Asset } from '../../assets/asset/leaf.ts';
import { describeVPacket } from '../../assets/display/model.ts';
import { decodeVPacket, encodeVPacket } from '../../assets/vpsbt/codec.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';
import { verifySchnorr } from '../../assets/crypto.ts';
import { genesisPrevOut, virtualTx, virtualTxSighash } from '../../assets/vtx/virtual-tx.ts';
import { ClientCommandInterpreter } from '../client-commands.ts';
import { decodeDeviceResponse, decodedFromDevice, exchangeCommand } from '../exchange.ts';
import { HostError, WrongAppError } from '../errors.ts';
import { AssetVerifyError } from '../../assets/errors.ts';
import { decodeResultBatch, resultsCommand, StreamMode, streamedSigners, type StreamResult } from '../../apdu/tap-app/vpsbt-stream.ts';
import { encodeVpsbtStreamFor, type StreamEncodeOptions, type VpsbtFrostShare } from './vpsbt-stream.ts';
import { checkedResults, needsMusigRound1, type CheckedResults } from './vpsbt-stream-results.ts';
import type { SignVpsbtYield } from './vpsbt-signatures.ts';

const xpubBase58 = createBase58check(sha256);

/** Name under which the Taproot Assets app answers B0 01 (docs/tap-app-protocol.md §1). */
export { TAP_APP_NAME } from '../../apdu/tap-app/spec.ts';

export interface TapKey {
  path: number[];
  /** 33-byte compressed public key at `path`. */
  pubkey: Uint8Array;
  /** BIP-32 xpub text (xpub... for coin type 0', tpub... otherwise, as the device chose the version). */
  xpub: string;
  /** Master key fingerprint (4 bytes), as tapd's --group_key_xpub needs with the depth-3 xpub. */
  fingerprint: Uint8Array;
}

export interface MusigRound1Result {
  /** Names the device's nonce slot; round 2 needs it. */
  handle: Uint8Array;
  pubnonce: Uint8Array;
  /** x-only tweaked aggregate: what the final signature verifies against. */
  aggregateXOnly: Uint8Array;
}

/** APDUs of the stream sent so far (chunks, then RESULTS), and the stream's chunks in all. */
export interface SignVpsbtProgress {
  chunks: number;
  of: number;
}

export interface SignGroupGenesisArgs {
  /** The genesis asset leaf (tapd's group virtual PSBT asset), as an Asset or its TLV bytes. */
  asset: Asset | Uint8Array;
  keyVersion: GroupKeyVersionValue;
  groupKeyPath: PathLike;
  tapscriptRoot?: Uint8Array;
  /**
   * The asset ID of the group's first asset (its anchor), when re-issuing into an existing group
   * (V0: the key is tweaked with it; V1: its tapscript root commits to it); the device then shows it
   * as "Group anchor". Absent: a new group.
   */
  anchorAssetId?: Uint8Array;
}

export interface GroupGenesisSignature {
  /** BIP-340 signature over the group virtual transaction's key-path sighash. */
  signature: Uint8Array;
  /** x-only tweaked group key the signature verifies against. */
  tweakedGroupKey: Uint8Array;
}

/** A vPSBT as tapd encodes it, or the typed packet. */
export type VpsbtInput = Uint8Array | VPacket;

export function vpsbtBytes(vpsbt: VpsbtInput): Uint8Array {
  return vpsbt instanceof Uint8Array ? vpsbt : encodeVPacket(vpsbt);
}

export class TapAppClient {
  constructor(readonly transport: Transport) {}

  /** Sends one command and answers client commands until a final status word (host/exchange.ts). */
  private run(cmd: CommandApdu, name: string, interpreter?: ClientCommandInterpreter, onInterrupt?: () => void): Promise<Uint8Array> {
    return exchangeCommand(this.transport, cmd, name, (sw) => new DeviceStatusError(sw, name), { ...(interpreter && { interpreter }), ...(onInterrupt && { onInterrupt }) });
  }

  /**
   * Sends one command of the app's description (apdu/tap-app/app.ts) and decodes its response
   * (host/frost drives its commands through this).
   */
  async call<Req, Res>(spec: CommandSpec<Req, Res>, req: Req, interpreter?: ClientCommandInterpreter, onInterrupt?: () => void): Promise<Res> {
    if (!isTapCommand(spec as CommandSpec<unknown, unknown>)) throw new RangeError(`TapAppClient.call: expected a command of the ${TAP_APP.name} app, got ${spec.name}`);
    return decodeDeviceResponse(spec, await this.run(tapCommand(spec, req), spec.name, interpreter, onInterrupt));
  }

  /** B0 01: the open app's name and version ("BOLOS" in the dashboard). */
  async getAppAndVersion(): Promise<AppAndVersion> {
    return getAppAndVersion.decodeResponse(await this.run(GET_APP_AND_VERSION_APDU, 'GET_APP_AND_VERSION'));
  }

  /** Throws E_WRONG_APP unless the Taproot Assets app is open. */
  async assertTapApp(): Promise<AppAndVersion> {
    const app = await this.getAppAndVersion();
    if (app.name !== TAP_APP.name) throw new WrongAppError(`"${TAP_APP.name}"`, app.name);
    return app;
  }

  async getAppInfo(): Promise<TapAppInfo> {
    return this.call(getAppInfo, undefined);
  }

  async getMasterFingerprint(): Promise<Uint8Array> {
    this.masterFingerprint = await this.call(getMasterFingerprint, undefined);
    return this.masterFingerprint;
  }

  /**
   * The key at `path` (§5.3). Paths outside tapd's families need `display`: the device shows the
   * path and the key, and answers only after the person approved.
   */
  async getKey(path: PathLike, { display = false }: { display?: boolean } = {}): Promise<TapKey> {
    const p = parsePath(path);
    const res = await this.call(getKey, { display, path: p });
    const depth = res.xpub[4]!;
    if (depth !== p.length) throw new HostError('E_DEVICE_RESPONSE', `GET_KEY: expected an xpub of depth ${p.length}, got depth ${depth}`);
    return { path: p, pubkey: xpubPublicKey(res.xpub), xpub: xpubBase58.encode(res.xpub), fingerprint: res.masterFingerprint };
  }

  private keyAggInterpreter(ctx: KeyAggContext) {
    const { preimage, commitment } = commitKeyAgg(ctx);
    const it = new ClientCommandInterpreter();
    it.addKnownPreimage(preimage);
    return { it, commitment };
  }

  /**
   * MuSig2 round 1 (§5.4): the device draws a nonce and keeps the secret half in a RAM slot. With
   * `message`, round 2 can only sign that message.
   */
  async musigRound1(ctx: KeyAggContext, { message }: { message?: Uint8Array } = {}): Promise<MusigRound1Result> {
    const { it, commitment } = this.keyAggInterpreter(ctx);
    return this.call(musigRound1, message === undefined ? { keyAgg: commitment } : { keyAgg: commitment, message }, it);
  }

  /**
   * MuSig2 round 2 (§5.4): the partial signature of `message` with the nonce of `handle`. The device
   * wipes the slot first, so a handle signs at most once (NonceSessionUnknownError afterwards).
   */
  async musigRound2(handle: Uint8Array, aggnonce: Uint8Array, message: Uint8Array, ctx: KeyAggContext): Promise<Uint8Array> {
    const { it, commitment } = this.keyAggInterpreter(ctx);
    return this.call(musigRound2, { handle, aggnonce, message, keyAgg: commitment }, it);
  }

  /** The master fingerprint, asked once per client: SIGN_VPSBT names this device's keys by it. */
  private async fingerprint(): Promise<Uint8Array> {
    this.masterFingerprint ??= await this.getMasterFingerprint();
    return this.masterFingerprint;
  }

  private masterFingerprint: Uint8Array | undefined;

  /**
   * Reviews and signs a vPSBT (§5.5): the packet is pushed as the version 2 stream
   * (vpsbt-stream.ts) in full APDUs while the device shows it, and the results come in the answer
   * to the last chunk (and RESULTS). Returns, in input order, BIP-340 signatures of the inputs whose
   * script key the device holds, and for MuSig2 script keys its pubnonces (round 1: some input it
   * takes part in carries no pubnonces yet; nothing is signed then) or partial signatures (round 2).
   * Every signature and partial signature is verified here before it is returned.
   */
  async signVpsbt(vpsbt: VpsbtInput, { onProgress }: { onProgress?: (p: SignVpsbtProgress) => void } = {}): Promise<SignVpsbtYield[]> {
    const packet = vpsbt instanceof Uint8Array ? decodeVPacket(vpsbt) : vpsbt;
    const fingerprint = await this.fingerprint();
    const mode = needsMusigRound1(packet, fingerprint) ? StreamMode.musigRound1 : StreamMode.sign;
    return (await this.streamVpsbt(packet, { fingerprint, mode }, onProgress)).yields;
  }

  /**
   * SIGN_VPSBT with FROST signers (docs/frost.md §2.6): the inputs of `frost` are signed with the
   * device's FROST share and the nonce FROST_COMMIT left under each handle, over the sighash the
   * device computes from the vPSBT it reviews. Returns the other inputs' yields as signVpsbt does,
   * and each FROST signature share, verified here (RFC 9591 verify_signature_share) before it is returned.
   */
  async signVpsbtFrost(vpsbt: VpsbtInput, frost: readonly VpsbtFrostShare[], { onProgress }: { onProgress?: (p: SignVpsbtProgress) => void } = {}): Promise<CheckedResults> {
    const packet = vpsbt instanceof Uint8Array ? decodeVPacket(vpsbt) : vpsbt;
    const fingerprint = await this.fingerprint();
    if (needsMusigRound1(packet, fingerprint)) throw new HostError('E_FROST_SESSION', 'SIGN_VPSBT with FROST signers: run MuSig2 round 1 (signVpsbt) first; FROST signers stream in mode 0 only');
    return this.streamVpsbt(packet, { fingerprint, mode: StreamMode.sign, frost }, onProgress);
  }

  private async streamVpsbt(packet: VPacket, opts: StreamEncodeOptions, onProgress?: (p: SignVpsbtProgress) => void): Promise<CheckedResults> {
    // The device reviews with the same builder: a packet it would refuse mid-review is not sent at all.
    const refused = describeVPacket(packet).refused;
    if (refused !== undefined) throw new AssetVerifyError('vpsbt', `SIGN_VPSBT not sent: the device's review refuses ${refused}`);
    const enc = encodeVpsbtStreamFor(packet, opts);
    const signerCount = streamedSigners(enc.stream).length;
    // The device answers a refusal with a bare status word; the review builder it runs tells the field.
    const refusal = (sw: number) => {
      const why = sw === SW.INCORRECT_DATA ? describeVPacket(packet).refused : undefined;
      return new DeviceStatusError(sw, why !== undefined ? `SIGN_VPSBT refused ${why}` : 'SIGN_VPSBT');
    };
    let data: Uint8Array = new Uint8Array();
    let sent = 0;
    const send = async (cmd: CommandApdu) => {
      data = await exchangeCommand(this.transport, cmd, 'SIGN_VPSBT', refusal);
      onProgress?.({ chunks: ++sent, of: enc.commands.length });
    };
    for (const cmd of enc.commands) await send(cmd);
    const results: StreamResult[] = [];
    for (;;) {
      const batch = decodedFromDevice('SIGN_VPSBT results', () => decodeResultBatch(data));
      results.push(...batch.results);
      if (batch.remaining === 0) break;
      // A device that keeps announcing results (or sends empty batches) gets no more exchanges than there are signers.
      if (batch.results.length === 0 || results.length + batch.remaining > signerCount)
        throw new HostError('E_DEVICE_RESPONSE', `SIGN_VPSBT results: ${batch.results.length} entries with ${batch.remaining} announced, for ${signerCount} signed inputs`);
      await send(resultsCommand());
    }
    return checkedResults(packet, enc.stream, opts.mode ?? StreamMode.sign, results, opts.fingerprint);
  }

  /**
   * Signs the group witness of a grouped genesis (§5.6) after the person reviewed name, amount,
   * asset ID and group key. The signature is checked here against the tweaked group key over the
   * group virtual transaction's sighash before it is returned.
   */
  async signGroupGenesis(args: SignGroupGenesisArgs): Promise<GroupGenesisSignature> {
    const leaf = args.asset instanceof Uint8Array ? args.asset : encodeAsset(args.asset);
    const it = new ClientCommandInterpreter();
    it.addKnownPreimage(leaf);
    const res = await this.call(
      signGroupGenesis,
      {
        assetLength: leaf.length,
        assetHash: sha256(leaf),
        keyVersion: args.keyVersion,
        groupKeyPath: parsePath(args.groupKeyPath),
        ...(args.tapscriptRoot ? { tapscriptRoot: args.tapscriptRoot } : {}),
        ...(args.anchorAssetId ? { anchorAssetId: args.anchorAssetId } : {}),
      },
      it,
    );
    // An encoded leaf is decoded for the check too: no signature leaves here unverified.
    const asset = args.asset instanceof Uint8Array ? decodeAsset(args.asset) : args.asset;
    const sighash = groupGenesisSighash(asset, res.tweakedGroupKey);
    if (!verifySchnorr(res.signature, sighash, res.tweakedGroupKey))
      throw new HostError('E_DEVICE_RESPONSE', 'SIGN_GROUP_GENESIS: the signature does not verify against the returned group key');
    return res;
  }
}

/**
 * The key-path sighash of a grouped genesis' virtual transaction (docs/taproot-assets.md §3). The asset
 * carries its tweaked group key (tapd sets it before signing); it must be `groupKeyXOnly`.
 */
export function groupGenesisSighash(asset: Asset, groupKeyXOnly: Uint8Array): Uint8Array {
  if (!asset.groupKey) throw new HostError('E_DEVICE_RESPONSE', 'group genesis: expected the asset to carry its group key, got none');
  if (!equal(asset.groupKey.subarray(1), groupKeyXOnly))
    throw new HostError('E_DEVICE_RESPONSE', `group genesis: the device derived group key ${toHex(groupKeyXOnly)}, the asset carries ${toHex(asset.groupKey)}`);
  return virtualTxSighash(virtualTx(asset, []), asset, 0, genesisPrevOut(asset));
}
