// BitcoinAppClient: the Ledger Bitcoin app (app-bitcoin-new, protocol version 1) over any Transport,
// MuSig2 included (PROTOCOLS.md §1, §2.3). Each method builds its request with the shared specs in
// apdu/bitcoin-app, answers the device's client commands from what it committed to, and returns
// typed results. The APDUs it sends are the ones Ledger's own Python client sends, byte for byte
// (checked against the recorded Speculos corpus).

import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { concat, toHex, utf8 } from '../../apdu/bytes.ts';
import { decodeResponse, encodeCommand, type CommandApdu } from '../../apdu/apdu.ts';
import { continueCommand, SW_INTERRUPTED_EXECUTION } from '../../apdu/interrupt.ts';
import { SW } from '../../apdu/status.ts';
import { CodecError } from '../../apdu/errors.ts';
import { parsePath, type PathLike } from '../../apdu/path.ts';
import {
  GET_APP_AND_VERSION_APDU,
  MESSAGE_CHUNK_SIZE,
  commandApdu,
  decodeSignPsbtYield,
  getAppAndVersion,
  getExtendedPubkey,
  getMasterFingerprint,
  getWalletAddress,
  registerWallet,
  signMessage,
  signPsbt,
  type AppAndVersion,
  type CommandSpec,
  type SignPsbtYield,
} from '../../apdu/bitcoin-app/index.ts';
import type { Transport } from '../../devices/transport.ts';
import { merkleizePsbt, parseRawPsbt, PsbtError } from '../../bitcoin/psbtv2.ts';
import { serializeWalletPolicy, walletPolicyId, type WalletPolicy } from '../../bitcoin/wallet-policy.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { policyOutput } from '../../bitcoin/descriptor/scripts.ts';
import { ClientCommandInterpreter } from './client-commands.ts';
import { DeviceResponseError, WrongAppError, statusError } from './errors.ts';

/** Names under which the Bitcoin app answers B0 01 (mainnet and testnet builds). */
export const BITCOIN_APP_NAMES = ['Bitcoin', 'Bitcoin Test'] as const;

const ZERO_HMAC = new Uint8Array(32);

/** Computes the address of `policy` at (change, index) on the host, for checking the device's. */
export type AddressDeriver = (policy: WalletPolicy, change: boolean, index: number) => string;

/** The host's own derivation (bitcoin/descriptor): the network follows the keys (tpub -> testnet). */
export const deriveWalletAddress: AddressDeriver = (policy, change, index) => {
  const address = policyOutput(parsePolicy(policy.descriptorTemplate, policy.keys), change, index).address;
  if (address === undefined) throw new DeviceResponseError(`policy ${policy.descriptorTemplate} has no address form`);
  return address;
};

export interface BitcoinAppClientOptions {
  /**
   * Derives addresses independently of the device (default: deriveWalletAddress). registerWallet
   * checks the first receive address with it and getWalletAddress every address, as Ledger's
   * clients do: a mismatch throws DeviceResponseError instead of returning the device's address.
   */
  deriveAddress?: AddressDeriver;
}

export interface ProgressEvent {
  /** Client commands answered so far in this SIGN_PSBT. */
  clientCommands: number;
  /** Results yielded so far. */
  yields: number;
}

export interface SignPsbtOptions {
  onProgress?: (event: ProgressEvent) => void;
}

export interface SignedMessage {
  header: number;
  r: Uint8Array;
  s: Uint8Array;
  /** header || r || s in base64, as Bitcoin Core's signmessage prints it (BIP-137). */
  base64: string;
}

/** A PSBT given as v0 or v2 bytes, base64 text, or a @scure/btc-signer Transaction. */
export type PsbtInput = Uint8Array | string | Transaction;

export function psbtBytes(psbt: PsbtInput): Uint8Array {
  if (psbt instanceof Transaction) return psbt.toPSBT(0);
  if (psbt instanceof Uint8Array) return psbt;
  if (typeof psbt === 'string') {
    try {
      return base64.decode(psbt.trim());
    } catch {
      throw new PsbtError('psbt: expected base64 text');
    }
  }
  throw new PsbtError(`psbt: expected bytes, base64 or a Transaction, got ${typeof psbt}`);
}

export class BitcoinAppClient {
  constructor(
    readonly transport: Transport,
    private readonly options: BitcoinAppClientOptions = {},
  ) {}

  /** Sends one command and answers client commands until a final status word. */
  private async run(cmd: CommandApdu, name: string, interpreter?: ClientCommandInterpreter, onInterrupt?: () => void) {
    let res = decodeResponse(await this.transport.exchange(encodeCommand(cmd)));
    while (res.statusWord === SW_INTERRUPTED_EXECUTION) {
      if (!interpreter) throw new DeviceResponseError(`${name}: device sent a client command to a command that has none`);
      const answer = interpreter.execute(res.data);
      onInterrupt?.();
      res = decodeResponse(await this.transport.exchange(encodeCommand(continueCommand(answer))));
    }
    if (res.statusWord !== SW.OK) throw statusError(res.statusWord, name, res.data);
    return res.data;
  }

  private async call<Req, Res>(spec: CommandSpec<Req, Res>, req: Req, interpreter?: ClientCommandInterpreter, onInterrupt?: () => void) {
    const data = await this.run(commandApdu(spec, req), spec.name, interpreter, onInterrupt);
    try {
      return spec.decodeResponse(data);
    } catch (err) {
      if (err instanceof CodecError) throw new DeviceResponseError(`${spec.name}: ${err.message}`);
      throw err;
    }
  }

  /** B0 01: the open app's name, version and flags ("BOLOS" in the dashboard). */
  async getAppAndVersion(): Promise<AppAndVersion> {
    const data = await this.run(GET_APP_AND_VERSION_APDU, 'GET_APP_AND_VERSION');
    return getAppAndVersion.decodeResponse(data);
  }

  /** Throws WrongAppError unless the Bitcoin app is open. */
  async assertBitcoinApp(): Promise<AppAndVersion> {
    const app = await this.getAppAndVersion();
    if (!(BITCOIN_APP_NAMES as readonly string[]).includes(app.name)) throw new WrongAppError(app.name);
    return app;
  }

  async getMasterFingerprint(): Promise<Uint8Array> {
    return this.call(getMasterFingerprint, undefined);
  }

  async getExtendedPubkey(path: PathLike, { display = false }: { display?: boolean } = {}): Promise<string> {
    return this.call(getExtendedPubkey, { display, path: parsePath(path) });
  }

  private policyInterpreter(policy: WalletPolicy): ClientCommandInterpreter {
    const it = new ClientCommandInterpreter();
    it.addKnownPreimage(serializeWalletPolicy(policy));
    it.addKnownList(policy.keys.map((k) => utf8.encode(k)));
    it.addKnownPreimage(utf8.encode(policy.descriptorTemplate));
    return it;
  }

  /**
   * Registers `policy` (the person reviews it on the device) and returns its id and HMAC. Then asks
   * for the first receive address and checks it against the host's own derivation.
   */
  async registerWallet(policy: WalletPolicy): Promise<{ id: Uint8Array; hmac: Uint8Array; address: string }> {
    const policyBytes = serializeWalletPolicy(policy);
    const { walletId, hmac } = await this.call(registerWallet, { policy: policyBytes }, this.policyInterpreter(policy));
    const expectedId = walletPolicyId(policy);
    if (toHex(walletId) !== toHex(expectedId))
      throw new DeviceResponseError(`REGISTER_WALLET: expected wallet id ${toHex(expectedId)}, got ${toHex(walletId)}`);
    const address = await this.getWalletAddress(policy, hmac, false, 0);
    return { id: walletId, hmac, address };
  }

  /** The address of `policy` at (change, index); `hmac` null for default wallets. */
  async getWalletAddress(
    policy: WalletPolicy,
    hmac: Uint8Array | null,
    change: boolean | 0 | 1,
    index: number,
    { display = false }: { display?: boolean } = {},
  ): Promise<string> {
    const address = await this.call(
      getWalletAddress,
      { display, walletId: walletPolicyId(policy), hmac: hmac ?? ZERO_HMAC, change: Boolean(change), index },
      this.policyInterpreter(policy),
    );
    const expected = (this.options.deriveAddress ?? deriveWalletAddress)(policy, Boolean(change), index);
    if (expected !== address)
      throw new DeviceResponseError(`GET_WALLET_ADDRESS: the device shows ${address}, the host derives ${expected}; do not use this address`);
    return address;
  }

  /**
   * Signs `psbt` with `policy`. Returns what the device yielded, in order: signatures, MuSig2
   * pubnonces (round 1: the PSBT has no pubnonces) or MuSig2 partial signatures (round 2).
   */
  async signPsbt(psbt: PsbtInput, policy: WalletPolicy, hmac: Uint8Array | null, options: SignPsbtOptions = {}): Promise<SignPsbtYield[]> {
    const raw = parseRawPsbt(psbtBytes(psbt));
    const m = merkleizePsbt(raw);
    const it = this.policyInterpreter(policy);
    it.addKnownMapping(m.global);
    for (const map of m.inputs) it.addKnownMapping(map);
    for (const map of m.outputs) it.addKnownMapping(map);
    it.addKnownList(m.inputs.map((map) => map.commitment()));
    it.addKnownList(m.outputs.map((map) => map.commitment()));
    let clientCommands = 0;
    await this.call(
      signPsbt,
      {
        globalMap: { size: m.global.size, keysRoot: m.global.keysTree.root, valuesRoot: m.global.valuesTree.root },
        inputCount: m.inputs.length,
        inputsRoot: m.inputsTree.root,
        outputCount: m.outputs.length,
        outputsRoot: m.outputsTree.root,
        walletId: walletPolicyId(policy),
        hmac: hmac ?? ZERO_HMAC,
      },
      it,
      () => options.onProgress?.({ clientCommands: ++clientCommands, yields: it.yielded.length }),
    );
    return it.yielded.map((data) => {
      try {
        const y = decodeSignPsbtYield(data);
        if (y.inputIndex >= m.inputs.length)
          throw new CodecError(`input index ${y.inputIndex} beyond the PSBT's ${m.inputs.length} inputs`);
        return y;
      } catch (err) {
        if (err instanceof CodecError) throw new DeviceResponseError(`SIGN_PSBT yield ${toHex(data)}: ${err.message}`);
        throw err;
      }
    });
  }

  /** BIP-137 message signature with the key at `path` (the person reviews the message). */
  async signMessage(message: Uint8Array | string, path: PathLike): Promise<SignedMessage> {
    const bytes = typeof message === 'string' ? utf8.encode(message) : message;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += MESSAGE_CHUNK_SIZE) chunks.push(bytes.subarray(i, i + MESSAGE_CHUNK_SIZE));
    const it = new ClientCommandInterpreter();
    const tree = it.addKnownList(chunks);
    const sig = await this.call(signMessage, { path: parsePath(path), messageLength: bytes.length, messageRoot: tree.root }, it);
    return { ...sig, base64: base64.encode(concat(Uint8Array.of(sig.header), sig.r, sig.s)) };
  }
}

