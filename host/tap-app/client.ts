// TapAppClient: the Taproot Assets device app (docs/tap-app-protocol.md) over any Transport. Each
// method builds its request with the shared specs in apdu/tap-app, answers the device's client
// commands with the Bitcoin app's interpreter (same codes, same commit-and-reveal, §2), and returns
// typed results. Failing status words become the typed errors of apdu/tap-app/status.ts.

import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CommandApdu } from '../../apdu/apdu.ts';
import { equal, toHex } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { parsePath, type PathLike } from '../../apdu/path.ts';
import { DeviceStatusError, SW } from '../../apdu/status.ts';
import { GET_APP_AND_VERSION_APDU, getAppAndVersion, type AppAndVersion } from '../../apdu/app-and-version.ts';
import {
  commitKeyAgg,
  decodeSignVpsbtYield,
  getAppInfo,
  getKey,
  getMasterFingerprint,
  musigRound1,
  musigRound2,
  signGroupGenesis,
  signVpsbt,
  tapCommand,
  xpubPublicKey,
  type CommandSpec,
  type GroupKeyVersionValue,
  type KeyAggContext,
  type SignVpsbtYield,
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
import { exchangeCommand } from '../exchange.ts';
import { merkleizeVpsbt, serveVpsbt, signVpsbtRequest } from './vpsbt-merkle.ts';
import { HostError, WrongAppError } from '../errors.ts';

const xpubBase58 = createBase58check(sha256);

/** Name under which the Taproot Assets app answers B0 01 (docs/tap-app-protocol.md §1). */
export const TAP_APP_NAME = 'Taproot Assets';

/** Why the device's review builder refuses the packet, if it does (assets/display). */
function refusalOf(bytes: Uint8Array): string | undefined {
  try {
    return describeVPacket(decodeVPacket(bytes)).refused;
  } catch {
    return undefined;
  }
}

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

export interface SignVpsbtProgress {
  clientCommands: number;
  yields: number;
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

  /** Sends one command of the app's specs and decodes its response (host/frost drives its commands through this). */
  async call<Req, Res>(spec: CommandSpec<Req, Res>, req: Req, interpreter?: ClientCommandInterpreter, onInterrupt?: () => void): Promise<Res> {
    const data = await this.run(tapCommand(spec, req), spec.name, interpreter, onInterrupt);
    try {
      return spec.decodeResponse(data);
    } catch (err) {
      if (err instanceof CodecError) throw new HostError('E_DEVICE_RESPONSE', `${spec.name}: ${err.message}`);
      throw err;
    }
  }

  /** B0 01: the open app's name and version ("BOLOS" in the dashboard). */
  async getAppAndVersion(): Promise<AppAndVersion> {
    return getAppAndVersion.decodeResponse(await this.run(GET_APP_AND_VERSION_APDU, 'GET_APP_AND_VERSION'));
  }

  /** Throws E_WRONG_APP unless the Taproot Assets app is open. */
  async assertTapApp(): Promise<AppAndVersion> {
    const app = await this.getAppAndVersion();
    if (app.name !== TAP_APP_NAME) throw new WrongAppError(`"${TAP_APP_NAME}"`, app.name);
    return app;
  }

  async getAppInfo(): Promise<TapAppInfo> {
    return this.call(getAppInfo, undefined);
  }

  async getMasterFingerprint(): Promise<Uint8Array> {
    return this.call(getMasterFingerprint, undefined);
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

  /**
   * Reviews and signs a vPSBT (§5.5), streamed as merkleized maps (vpsbt-merkle.ts). Returns what the device yielded,
   * in order: BIP-340 signatures of the inputs whose script key it holds, and for MuSig2 script keys
   * pubnonces (the packet has none yet) or partial signatures (it has every participant's).
   */
  async signVpsbt(vpsbt: VpsbtInput, { onProgress }: { onProgress?: (p: SignVpsbtProgress) => void } = {}): Promise<SignVpsbtYield[]> {
    const bytes = vpsbtBytes(vpsbt);
    const m = merkleizeVpsbt(bytes);
    const it = new ClientCommandInterpreter();
    serveVpsbt(it, m);
    let clientCommands = 0;
    try {
      await this.call(
        signVpsbt,
        signVpsbtRequest(m),
        it,
        () => onProgress?.({ clientCommands: ++clientCommands, yields: it.yielded.length }),
      );
    } catch (err) {
      // The device answers a refusal with a bare 6A80; the review builder it runs tells the field.
      const why = err instanceof DeviceStatusError && err.statusCode === SW.INCORRECT_DATA ? refusalOf(bytes) : undefined;
      if (why !== undefined) throw new DeviceStatusError(SW.INCORRECT_DATA, `SIGN_VPSBT refused ${why}`);
      throw err;
    }
    return it.yielded.map((data) => {
      try {
        const y = decodeSignVpsbtYield(data);
        if (y.inputIndex >= m.inputs.length) throw new CodecError(`input index ${y.inputIndex} beyond the vPSBT's ${m.inputs.length} inputs`);
        return y;
      } catch (err) {
        if (err instanceof CodecError) throw new HostError('E_DEVICE_RESPONSE', `SIGN_VPSBT yield ${toHex(data)}: ${err.message}`);
        throw err;
      }
    });
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
