// BitcoinAppClient: the Ledger Bitcoin app (app-bitcoin-new, protocol version 1) over any Transport,
// MuSig2 included (docs/bitcoin-app-protocol.md §12). Each method builds its request with the shared specs in
// apdu/bitcoin-app, answers the device's client commands from what it committed to, and returns
// typed results. The APDUs it sends are the ones Ledger's own Python client sends, byte for byte
// (checked against the recorded Speculos corpus).

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import { HDKey } from '@scure/bip32';
import { Transaction } from '@scure/btc-signer';
import { concat, encodeVarint, equal, toHex, utf8 } from '../../apdu/bytes.ts';
import type { CommandApdu } from '../../apdu/apdu.ts';
import { SW } from '../../apdu/status.ts';
import { CodecError, isTaprootHwError } from '../../apdu/errors.ts';
import { formatPath, parsePath, type PathLike } from '../../apdu/path.ts';
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
import { merkleizePsbt, parseRawPsbt } from '../../bitcoin/psbtv2.ts';
import { serializeWalletPolicy, walletPolicyId, type WalletPolicy } from '../../bitcoin/wallet-policy.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { decodeExtendedPublicKey, type KeyFamily } from '../../bitcoin/extended-key.ts';
import { policyOutput } from '../../bitcoin/descriptor/scripts.ts';
import { ClientCommandInterpreter } from '../client-commands.ts';
import { decodeDeviceResponse, decodedFromDevice, exchangeCommand } from '../exchange.ts';
import { statusError } from './errors.ts';
import { verifySignPsbtResults } from './verify-results.ts';
import { HostError, WrongAppError } from '../errors.ts';
import { BitcoinError } from '../../bitcoin/errors.ts';

/** Names under which the Bitcoin app answers B0 01 (mainnet and testnet builds). */
export const BITCOIN_APP_NAMES = ['Bitcoin', 'Bitcoin Test'] as const;

const ZERO_HMAC = new Uint8Array(32);
/** Parents kept for checking children: an account and its branches, many times over. */
const MAX_REMEMBERED_XPUBS = 256;

/** Computes the address of `policy` at (change, index) on the host, for checking the device's. */
export type AddressDeriver = (policy: WalletPolicy, change: boolean, index: number) => string;

/** The host's own derivation (bitcoin/descriptor): the network follows the keys (tpub -> testnet). */
export const deriveWalletAddress: AddressDeriver = (policy, change, index) => {
  const address = policyOutput(parsePolicy(policy.descriptorTemplate, policy.keys), change, index).address;
  if (address === undefined) throw new HostError('E_DEVICE_RESPONSE', `policy ${policy.descriptorTemplate} has no address form`);
  return address;
};

export interface BitcoinAppClientOptions {
  /**
   * Derives addresses independently of the device (default: deriveWalletAddress). registerWallet
   * checks the first receive address with it and getWalletAddress every address, as Ledger's
   * clients do: a mismatch throws DeviceResponseError instead of returning the device's address.
   */
  deriveAddress?: AddressDeriver;
  /**
   * The key family the open app serves ('mainnet' for "Bitcoin", 'test' for "Bitcoin Test"):
   * xpubs with other version bytes are refused. Default: learnt from getAppAndVersion once it ran,
   * until then either family is taken.
   */
  network?: KeyFamily;
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
      throw new BitcoinError('E_PSBT', 'psbt: expected base64 text');
    }
  }
  throw new BitcoinError('E_PSBT', `psbt: expected bytes, base64 or a Transaction, got ${typeof psbt}`);
}

export class BitcoinAppClient {
  private network: KeyFamily | undefined;
  private masterFingerprint: Uint8Array | undefined;
  /** Extended keys this client got and checked, by path: parents for the checks of their children. */
  private readonly xpubs = new Map<string, HDKey>();

  constructor(
    readonly transport: Transport,
    private readonly options: BitcoinAppClientOptions = {},
  ) {
    this.network = options.network;
  }

  /** Sends one command and answers client commands until a final status word (host/exchange.ts). */
  private run(cmd: CommandApdu, name: string, interpreter?: ClientCommandInterpreter, onInterrupt?: () => void): Promise<Uint8Array> {
    return exchangeCommand(this.transport, cmd, name, statusError, { ...(interpreter && { interpreter }), ...(onInterrupt && { onInterrupt }) });
  }

  private async call<Req, Res>(spec: CommandSpec<Req, Res>, req: Req, interpreter?: ClientCommandInterpreter, onInterrupt?: () => void) {
    return decodeDeviceResponse(spec, await this.run(commandApdu(spec, req), spec.name, interpreter, onInterrupt));
  }

  /** B0 01: the open app's name, version and flags ("BOLOS" in the dashboard). */
  async getAppAndVersion(): Promise<AppAndVersion> {
    const data = await this.run(GET_APP_AND_VERSION_APDU, 'GET_APP_AND_VERSION');
    const app = getAppAndVersion.decodeResponse(data);
    if (this.options.network === undefined && app.name === 'Bitcoin') this.network = 'mainnet';
    if (this.options.network === undefined && app.name === 'Bitcoin Test') this.network = 'test';
    return app;
  }

  /** Throws E_WRONG_APP unless the Bitcoin app is open. */
  async assertBitcoinApp(): Promise<AppAndVersion> {
    const app = await this.getAppAndVersion();
    if (!(BITCOIN_APP_NAMES as readonly string[]).includes(app.name)) throw new WrongAppError('Bitcoin ("Bitcoin" or "Bitcoin Test")', app.name);
    return app;
  }

  async getMasterFingerprint(): Promise<Uint8Array> {
    const fpr = await this.call(getMasterFingerprint, undefined);
    this.masterFingerprint = fpr;
    return fpr;
  }

  /**
   * The xpub at `path`, checked against the request before it is returned: depth = path length,
   * child number = last step, version bytes of the app's network (when known), parent fingerprint
   * of the master (when this client fetched it) or of a parent it fetched, and for an unhardened
   * last step the key derived from that parent. A mismatch is a DeviceResponseError.
   */
  async getExtendedPubkey(path: PathLike, { display = false }: { display?: boolean } = {}): Promise<string> {
    const steps = parsePath(path);
    const text = await this.call(getExtendedPubkey, { display, path: steps });
    const checked = this.checkExtendedPubkey(text, steps);
    if (this.xpubs.size >= MAX_REMEMBERED_XPUBS) this.xpubs.delete(this.xpubs.keys().next().value!);
    this.xpubs.set(formatPath(steps), checked);
    return text;
  }

  private checkExtendedPubkey(text: string, steps: readonly number[]): HDKey {
    const where = `GET_EXTENDED_PUBKEY ${formatPath(steps)}`;
    let key;
    try {
      key = decodeExtendedPublicKey(text);
    } catch (err) {
      if (isTaprootHwError(err, 'E_KEY_INFO')) throw new HostError('E_DEVICE_RESPONSE', `${where}: ${err.message}`);
      throw err;
    }
    const { hd, family } = key;
    const fail = (what: string): never => {
      throw new HostError('E_DEVICE_RESPONSE', `${where}: ${what}; do not use this key`);
    };
    if (this.network !== undefined && family !== this.network) fail(`expected a ${this.network === 'test' ? 'tpub' : 'xpub'} for the open app, got a ${family === 'test' ? 'tpub' : 'xpub'}`);
    if (hd.depth !== steps.length) fail(`expected depth ${steps.length}, got ${hd.depth}`);
    const last = steps.length === 0 ? 0 : steps[steps.length - 1]!;
    if (hd.index !== last) fail(`expected child number ${last}, got ${hd.index}`);
    const parent = steps.length === 1 && this.masterFingerprint ? this.masterFingerprint : undefined;
    const parentKey = steps.length > 0 ? this.xpubs.get(formatPath(steps.slice(0, -1))) : undefined;
    const expectedParent = parent ? new DataView(parent.buffer, parent.byteOffset).getUint32(0) : parentKey?.fingerprint;
    if (expectedParent !== undefined && hd.parentFingerprint !== expectedParent)
      fail(`expected parent fingerprint ${expectedParent.toString(16).padStart(8, '0')}, got ${hd.parentFingerprint.toString(16).padStart(8, '0')}`);
    if (parentKey && last < 0x80000000) {
      const child = parentKey.deriveChild(last);
      if (!equal(child.publicKey!, hd.publicKey!) || !equal(child.chainCode!, hd.chainCode!))
        fail(`expected the key derived from ${formatPath(steps.slice(0, -1))}, got another`);
    }
    return hd;
  }

  private policyInterpreter(policy: WalletPolicy, maxYields = 0): ClientCommandInterpreter {
    const it = new ClientCommandInterpreter(maxYields);
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
      throw new HostError('E_DEVICE_RESPONSE', `REGISTER_WALLET: expected wallet id ${toHex(expectedId)}, got ${toHex(walletId)}`);
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
      throw new HostError('E_DEVICE_RESPONSE', `GET_WALLET_ADDRESS: the device shows ${address}, the host derives ${expected}; do not use this address`);
    return address;
  }

  /**
   * Signs `psbt` with `policy`. Returns what the device yielded, in order: signatures, MuSig2
   * pubnonces (round 1: the PSBT has no pubnonces) or MuSig2 partial signatures (round 2). Each is
   * verified first (verify-results.ts): one that does not verify throws DeviceSignatureError.
   */
  async signPsbt(psbt: PsbtInput, policy: WalletPolicy, hmac: Uint8Array | null, options: SignPsbtOptions = {}): Promise<SignPsbtYield[]> {
    const bytes = psbtBytes(psbt);
    const raw = parseRawPsbt(bytes);
    const m = merkleizePsbt(raw);
    // One result per input and key expression at most (a signature, a pubnonce or a partial signature).
    const keyExpressions = policy.descriptorTemplate.split('@').length - 1;
    const it = this.policyInterpreter(policy, m.inputs.length * keyExpressions);
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
    const results = it.yielded.map((data) =>
      decodedFromDevice(`SIGN_PSBT yield ${toHex(data)}`, () => {
        const y = decodeSignPsbtYield(data);
        if (y.inputIndex >= m.inputs.length)
          throw new CodecError(`input index ${y.inputIndex} beyond the PSBT's ${m.inputs.length} inputs`);
        return y;
      }),
    );
    const tx = psbt instanceof Transaction ? psbt : Transaction.fromPSBT(bytes, { allowUnknown: true, allowUnknownInputs: true, allowUnknownOutputs: true });
    verifySignPsbtResults(tx, policy, results);
    return results;
  }

  /**
   * BIP-137 message signature with the key at `path` (the person reviews the message). The key the
   * signature recovers must be the key at `path`: `publicKey` when given (33 bytes), else fetched
   * with GET_EXTENDED_PUBKEY (one exchange; a path the app does not export silently is shown to the
   * person). A mismatch is a DeviceResponseError.
   */
  async signMessage(message: Uint8Array | string, path: PathLike, { publicKey }: { publicKey?: Uint8Array } = {}): Promise<SignedMessage> {
    const bytes = typeof message === 'string' ? utf8.encode(message) : message;
    const steps = parsePath(path);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += MESSAGE_CHUNK_SIZE) chunks.push(bytes.subarray(i, i + MESSAGE_CHUNK_SIZE));
    const it = new ClientCommandInterpreter(0);
    const tree = it.addKnownList(chunks);
    const sig = await this.call(signMessage, { path: steps, messageLength: bytes.length, messageRoot: tree.root }, it);
    const where = `SIGN_MESSAGE ${formatPath(steps)}`;
    const recovered = recoverMessageKey(bytes, sig);
    if (!recovered) throw new HostError('E_DEVICE_RESPONSE', `${where}: the signature recovers no key (header ${sig.header}); do not use it`);
    const expected = publicKey ?? (await this.messageKey(steps));
    if (!equal(recovered, expected))
      throw new HostError('E_DEVICE_RESPONSE', `${where}: the signature is by ${toHex(recovered)}, expected the key at the path ${toHex(expected)}; do not use it`);
    return { ...sig, base64: base64.encode(concat(Uint8Array.of(sig.header), sig.r, sig.s)) };
  }

  private async messageKey(steps: number[]): Promise<Uint8Array> {
    let text: string;
    try {
      text = await this.getExtendedPubkey(steps);
    } catch (err) {
      if (!isTaprootHwError(err, 'E_NOT_SUPPORTED')) throw err;
      text = await this.getExtendedPubkey(steps, { display: true });
    }
    return decodeExtendedPublicKey(text).hd.publicKey!;
  }
}

/** BIP-137: the key (compressed, 33 bytes) that `sig` recovers for `message`, or undefined. */
function recoverMessageKey(message: Uint8Array, sig: { header: number; r: Uint8Array; s: Uint8Array }): Uint8Array | undefined {
  // Headers 27-30 name uncompressed keys, 31-34 compressed P2PKH, 35-42 segwit; the low two bits are the recovery id.
  if (sig.header < 27 || sig.header > 42) return undefined;
  const digest = sha256(sha256(concat(utf8.encode('\x18Bitcoin Signed Message:\n'), encodeVarint(message.length), message)));
  try {
    const point = secp256k1.Signature.fromBytes(concat(sig.r, sig.s), 'compact')
      .addRecoveryBit((sig.header - 27) & 3)
      .recoverPublicKey(digest);
    return point.toBytes(true);
  } catch {
    return undefined;
  }
}
