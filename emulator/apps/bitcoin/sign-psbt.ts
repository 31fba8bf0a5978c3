// SIGN_PSBT (E1 04): the PSBTv2 arrives as merkleized maps (`varint global_size || keys_root ||
// values_root || varint n_in || inputs_root || varint n_out || outputs_root || wallet_id ||
// hmac`), every field fetched and verified on demand; results leave through YIELD client commands
// (handler/sign_psbt.c). Phases, in the app's order: global map and wallet policy; our key
// expressions; inputs (UTXOs, ownership, warnings); outputs (change detection); tx-wide hashes;
// MuSig2 round 1 if the PSBT has no pubnonces yet; review; signing (ECDSA, BIP-340, MuSig2 round 2).

import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { Session, nonceAggregate, nonceGen } from '@scure/btc-signer/musig2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, encodeVarint, equal, equalConstantTime } from '../../../apdu/bytes.ts';
import { SIGN_PSBT_ERROR } from '../../../apdu/bitcoin-app/error-codes.ts';
import { signPsbt as spec, type SignPsbtRequest } from '../../../apdu/bitcoin-app/sign-psbt.ts';
import { encodeSignPsbtYield } from '../../../apdu/yields.ts';
import { SW } from '../../../apdu/status.ts';
import type { Miniscript } from '../../../bitcoin/descriptor/ast.ts';
import { PSBT_GLOBAL, PSBT_IN, PSBT_OUT } from '../../../bitcoin/psbt-fields.ts';
import type { AppContext } from '../../app.ts';
import { describeOutput } from './address.ts';
import type { HostChannel, MapCommitment } from '../common/host-channel.ts';
import { type Command, handler } from './command.ts';
import { ecdsaSign } from './ecdsa.ts';
import { walletPolicyHmac } from '../../../bitcoin/wallet-policy.ts';
import { AppError, badState, denied, incorrectData, notSupported } from './errors.ts';
import {
  ckdPub,
  type ExtendedPubkey,
  fingerprintOf,
  hash160,
  masterFingerprint,
  meterOf,
  privateKeyAt,
  xpubAt,
  xpubEqual,
} from '../common/keys.ts';
import { MusigSigningState, randIJ } from '../common/musig-sessions.ts';
import type { BitcoinNetwork } from './network.ts';
import { MAX_PREVOUT_SCRIPT, nonWitnessUtxo, u32Value, witnessUtxo } from './psbt/fields.ts';
import {
  computeTxHashes,
  sighashLegacy,
  sighashSegwitV0,
  sighashTaproot,
  type TxHashes,
  txHashesBytes,
  type TxShape,
} from './psbt/txhashes.ts';
import { type Derivation, FirstStepCache, musigXpub, tapleafHash, taprootTweak, taptreeHash, walletScript } from './policy/script.ts';
import { isStandardPolicy } from './policy/standard.ts';
import { keyExpressions, type KeyExpr, segwitVersion } from './policy/template.ts';
import { fetchKeyInfo, MAX_SERIALIZED_POLICY, type ParsedPolicy, readAndParsePolicy } from './policy/wallet.ts';
import { schnorrSignRandomNonce } from './schnorr.ts';
import { formatAmount, transactionReview, warningPage } from './review.ts';

const MAX_INTERNAL_KEY_EXPRESSIONS = 8;
const BITCOIN_TOTAL_SUPPLY = 21_000_000n * 100_000_000n;
const SIGHASH = { DEFAULT: 0, ALL: 1, NONE: 2, SINGLE: 3, ANYONECANPAY: 0x80 } as const;

/** keyexpr_info_t: one of our key expressions in the policy. */
interface OurKeyExpr {
  expr: KeyExpr;
  /** Position among all key expressions (keyexpr_info->index, the j of rand_i_j). */
  index: number;
  leaf?: Miniscript;
  tapleafHash?: Uint8Array;
  toSign: boolean;
  fingerprint: number;
  /** Origin path of our own key. */
  keyDerivation: number[];
  /** Steps of the PSBT derivation before /<change>/<index> (0 for musig: the aggregate is the root). */
  psbtRootLength: number;
  /** The key expression's root xpub (for musig, the BIP-328 aggregate). */
  pubkey: ExtendedPubkey;
  /** Our own account xpub (the MuSig2 participant key). */
  internalPubkey: ExtendedPubkey;
}

interface InOut {
  map: MapCommitment;
  found: boolean;
  isChange: boolean;
  addressIndex: number;
  script: Uint8Array;
  badPubkey: boolean;
}

interface InputInfo extends InOut {
  hasWitnessUtxo: boolean;
  hasNonWitnessUtxo: boolean;
  hasRedeemScript: boolean;
  hasSighashType: boolean;
  amount: bigint;
  sighashType: number;
}

interface State extends TxShape {
  ctx: AppContext;
  net: BitcoinNetwork;
  host: HostChannel;
  protocolVersion: number;
  policy: ParsedPolicy;
  isDefault: boolean;
  fingerprint: number;
  ours: OurKeyExpr[];
  /** The app's per-command cache of /<change> children (sign_psbt_cache_t). */
  cache: FirstStepCache;
  hasMusigNonces: boolean;
  inputsTotal: bigint;
  outputsTotal: bigint;
  changeTotal: bigint;
  nChange: number;
  externalInputs: number;
  externalOutputs: { script: Uint8Array; amount: bigint }[];
  warnings: { externalInputs: boolean; missingNonWitness: boolean; nonDefaultSighash: boolean };
}

const derivationFor = (st: State, change: boolean, addressIndex: number): Derivation => ({
  header: st.policy.header,
  change,
  addressIndex,
  meter: meterOf(st.ctx),
  cache: st.cache,
});

async function initGlobal(cmd: Command, req: SignPsbtRequest): Promise<State> {
  const { ctx, net, host } = cmd;
  const { globalMap: global, inputCount: nIn, inputsRoot, outputCount: nOut, outputsRoot, walletId: id, hmac } = req;
  if (!(await host.checkSorted(global.keysRoot, global.size))) throw incorrectData('global map keys not sorted or unverified');
  const version = await host.getMapValue(global, Uint8Array.of(PSBT_GLOBAL.TX_VERSION), 9);
  if (version === undefined || version.length !== 4) throw incorrectData('missing transaction version');
  const lock = await host.getMapValue(global, Uint8Array.of(PSBT_GLOBAL.FALLBACK_LOCKTIME), 9);
  if (lock !== undefined && lock.length !== 4) throw incorrectData('malformed fallback locktime');
  const le32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

  const isDefault = hmac.every((b) => b === 0);
  if (!isDefault && !equalConstantTime(hmac, walletPolicyHmac(ctx.seed, id))) throw new AppError(SW.SIGNATURE_FAIL, 'wallet HMAC does not match');
  const serialized = await host.getPreimage(id, MAX_SERIALIZED_POLICY);
  if (serialized === undefined) throw incorrectData('wallet policy preimage did not verify');
  const policy = await readAndParsePolicy(host, serialized);
  if (!policy) throw incorrectData('wallet policy could not be parsed');
  if (isDefault) {
    if (!(await isStandardPolicy(ctx, host, net, policy.header, policy.root)))
      throw incorrectData('not a default policy and no HMAC', SIGN_PSBT_ERROR.MISSING_HMAC_FOR_NONDEFAULT_POLICY);
    if (policy.header.name.length !== 0) throw incorrectData('default policies have no name', SIGN_PSBT_ERROR.NO_NAME_FOR_DEFAULT_POLICY);
  }
  return {
    ctx,
    net,
    host,
    protocolVersion: cmd.protocolVersion,
    version: le32(version),
    locktime: lock === undefined ? 0 : le32(lock),
    nInputs: nIn,
    nOutputs: nOut,
    inputsRoot,
    outputsRoot,
    policy,
    isDefault,
    fingerprint: masterFingerprint(ctx),
    ours: [],
    cache: new FirstStepCache(new Map(keyExpressions(policy.root, policy.header.version).map(({ expr }) => [expr.node, expr.index]))),
    hasMusigNonces: false,
    inputsTotal: 0n,
    outputsTotal: 0n,
    changeTotal: 0n,
    nChange: 0,
    externalInputs: 0,
    externalOutputs: [],
    warnings: { externalInputs: false, missingNonWitness: false, nonDefaultSighash: false },
  };
}

/** get_and_verify_key_info: the key's data, and whether it is ours. */
async function keyInfoIfOurs(st: State, key: number): Promise<{ ours: boolean; xpub?: ExtendedPubkey; path: number[]; fingerprint: number }> {
  const got = await fetchKeyInfo(st.host, st.policy.header, key);
  if (!got) return { ours: false, path: [], fingerprint: 0 };
  const path = got.info.origin?.path ?? [];
  const fingerprint = got.info.origin?.fingerprint ?? 0;
  if (fingerprint !== st.fingerprint) return { ours: false, xpub: got.info.xpub, path, fingerprint };
  let mine: ExtendedPubkey;
  try {
    mine = xpubAt(st.ctx, path, st.net);
  } catch {
    return { ours: false, xpub: got.info.xpub, path, fingerprint };
  }
  return { ours: xpubEqual(mine, got.info.xpub), xpub: got.info.xpub, path, fingerprint };
}

/** fill_keyexpr_info_if_internal: (re)fetches the keys of a key expression; undefined if none is ours. */
async function fillIfOurs(st: State, expr: KeyExpr, index: number, leaf: Miniscript | undefined): Promise<OurKeyExpr | undefined> {
  if (expr.kind === 'key') {
    const k = await keyInfoIfOurs(st, expr.key);
    if (!k.ours) return undefined;
    return {
      expr, index, ...(leaf ? { leaf } : {}), toSign: false, fingerprint: k.fingerprint, keyDerivation: k.path,
      psbtRootLength: k.path.length, pubkey: k.xpub!, internalPubkey: k.xpub!,
    };
  }
  let mine: { xpub: ExtendedPubkey; path: number[] } | undefined;
  const keys: Uint8Array[] = [];
  let last: ExtendedPubkey | undefined;
  for (const key of expr.keys) {
    const k = await keyInfoIfOurs(st, key);
    if (k.xpub) last = k.xpub;
    if (k.ours) mine = { xpub: k.xpub!, path: k.path };
    if (last) keys.push(last.pubkey);
  }
  if (!mine || keys.length !== expr.keys.length) return undefined;
  const agg = musigXpub(keys, st.net.xpubVersion, meterOf(st.ctx));
  return {
    expr, index, ...(leaf ? { leaf } : {}), toSign: false, fingerprint: fingerprintOf(agg.pubkey), keyDerivation: mine.path,
    psbtRootLength: 0, pubkey: agg, internalPubkey: mine.xpub,
  };
}

async function fillOurKeyExpressions(st: State): Promise<void> {
  const all = keyExpressions(st.policy.root, st.policy.header.version);
  for (let i = 0; i < all.length; i++) {
    const k = await fillIfOurs(st, all[i]!.expr, i, all[i]!.leaf);
    if (!k) continue;
    if (st.ours.length >= MAX_INTERNAL_KEY_EXPRESSIONS)
      throw notSupported('too many internal key expressions', SIGN_PSBT_ERROR.WALLET_POLICY_TOO_MANY_INTERNAL_KEYS);
    st.ours.push(k);
  }
  if (st.ours.length === 0) throw incorrectData('no internal key in the policy', SIGN_PSBT_ERROR.WALLET_POLICY_HAS_NO_INTERNAL_KEY);
}

/**
 * read_change_and_index_from_psbt_bip32_derivation + extract_bip32_derivation: streams the
 * derivation value at the key's index and keeps fingerprint and path (the leaf hashes of a TAP
 * derivation are skipped). Returns undefined on error, null when the path length is unusable.
 */
async function readDerivation(st: State, map: MapCommitment, key: Uint8Array, index: number, tap: boolean): Promise<{ fingerprint: number; path: number[] } | null | undefined> {
  if (key.length - 1 !== (tap ? 32 : 33)) return undefined;
  const pieces: Uint8Array[] = [];
  const n = await st.host.streamMerkleLeafElement(map.valuesRoot, map.size, index, () => {}, (p) => pieces.push(p.slice()));
  if (n === undefined) return undefined;
  const value = concat(...pieces);
  const maxOut = 4 * 11;
  let outLen = value.length;
  if (tap) {
    const nHashes = value[0];
    if (nHashes === undefined || nHashes > 128 || value.length < 1 + 32 * nHashes) return undefined;
    outLen = value.length - 1 - 32 * nHashes;
  }
  if (outLen > maxOut || outLen < 4 || outLen % 4 !== 0) return undefined;
  const out = value.subarray(value.length - outLen);
  const dv = new DataView(out.buffer, out.byteOffset, out.length);
  const path: number[] = [];
  for (let i = 4; i < outLen; i += 4) path.push(dv.getUint32(i, true));
  if (path.length < 2 || path.length > 10) return null;
  return { fingerprint: dv.getUint32(0, false), path };
}

function compatible(k: OurKeyExpr, d: { fingerprint: number; path: number[] }): boolean {
  if (k.fingerprint !== d.fingerprint || k.psbtRootLength + 2 !== d.path.length) return false;
  for (let i = 0; i < k.psbtRootLength; i++) if (k.keyDerivation[i] !== d.path[i]) return false;
  const change = d.path[d.path.length - 2];
  return change === k.expr.numFirst || change === k.expr.numSecond;
}

/** What a derivation `compatible` with `k` says of its input or output: ours, on the change or receive branch, at this index. */
function placeOf(k: OurKeyExpr, d: { path: number[] }): Pick<InOut, 'found' | 'isChange' | 'addressIndex'> {
  return { found: true, isChange: k.expr.numSecond === d.path[d.path.length - 2], addressIndex: d.path[d.path.length - 1]! };
}

/** Reads input map `i` with input_keys_callback. */
async function readInput(st: State, i: number): Promise<InputInfo> {
  const input: Partial<InputInfo> = {
    found: false, isChange: false, addressIndex: 0, badPubkey: false, hasWitnessUtxo: false, hasNonWitnessUtxo: false,
    hasRedeemScript: false, hasSighashType: false, amount: 0n, sighashType: 0, script: new Uint8Array(),
  };
  const map = await st.host.getMerkleizedMap(st.inputsRoot, st.nInputs, i, async (key, index, m) => {
    const type = key[0];
    if (type === undefined) return;
    if (type === PSBT_IN.WITNESS_UTXO) input.hasWitnessUtxo = true;
    else if (type === PSBT_IN.NON_WITNESS_UTXO) input.hasNonWitnessUtxo = true;
    else if (type === PSBT_IN.REDEEM_SCRIPT) input.hasRedeemScript = true;
    else if (type === PSBT_IN.SIGHASH_TYPE) input.hasSighashType = true;
    else if (type === PSBT_IN.BIP32_DERIVATION || type === PSBT_IN.TAP_BIP32_DERIVATION) {
      const d = await readDerivation(st, m, key, index, type === PSBT_IN.TAP_BIP32_DERIVATION);
      if (d === undefined) input.badPubkey = true;
      else if (d !== null)
        for (const k of st.ours)
          if (compatible(k, d)) {
            // Every matching key expression signs this input (the loop goes on); the place is the last match's.
            k.toSign = true;
            Object.assign(input, placeOf(k, d));
          }
    } else if (type === PSBT_IN.MUSIG2_PUB_NONCE) st.hasMusigNonces = true;
  });
  if (!map) throw incorrectData(`input map ${i} did not verify`);
  input.map = map;
  return input as InputInfo;
}

async function isOwnScript(st: State, io: InOut): Promise<boolean> {
  try {
    const script = await walletScript(st.host, derivationFor(st, io.isChange, io.addressIndex), st.policy.root);
    return equal(script, io.script);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw incorrectData('could not compute the wallet script');
  }
}

async function preprocessInputs(st: State): Promise<boolean[]> {
  await fillOurKeyExpressions(st);
  const internal: boolean[] = [];
  const segwit = segwitVersion(st.policy.root);
  for (let i = 0; i < st.nInputs; i++) {
    internal.push(false);
    const input = await readInput(st, i);
    if (input.badPubkey) throw incorrectData('unexpected pubkey length in a derivation');
    if (!input.hasNonWitnessUtxo && !input.hasWitnessUtxo)
      throw incorrectData('input has no UTXO', SIGN_PSBT_ERROR.MISSING_NONWITNESSUTXO_AND_WITNESSUTXO);
    if (input.hasNonWitnessUtxo) {
      const txid = await st.host.getMapValue(input.map, Uint8Array.of(PSBT_IN.PREVIOUS_TXID), 32);
      if (txid === undefined) throw incorrectData('missing previous txid');
      const prev = await nonWitnessUtxo(st.host, input.map, txid);
      if (!prev) throw incorrectData('non-witness UTXO does not match', SIGN_PSBT_ERROR.NONWITNESSUTXO_CHECK_FAILED);
      input.amount = prev.amount;
      input.script = prev.script;
      st.inputsTotal += prev.amount;
    }
    if (input.hasWitnessUtxo) {
      const w = await witnessUtxo(st.host, input.map);
      if (!w) throw incorrectData('malformed witness UTXO');
      if (input.hasNonWitnessUtxo) {
        if (!equal(w.script, input.script) || w.amount !== input.amount)
          throw incorrectData('witness and non-witness UTXOs differ', SIGN_PSBT_ERROR.NONWITNESSUTXO_AND_WITNESSUTXO_MISMATCH);
      } else {
        st.inputsTotal += w.amount;
        input.amount = w.amount;
        input.script = w.script;
      }
    }
    if (input.amount > BITCOIN_TOTAL_SUPPLY) throw incorrectData('input amount above the total supply');
    if (!input.found || !(await isOwnScript(st, input))) {
      st.externalInputs++;
      st.warnings.externalInputs = true;
      continue;
    }
    internal[i] = true;
    if (segwit === -1 && (!input.hasNonWitnessUtxo || input.hasWitnessUtxo))
      throw incorrectData('legacy input needs exactly the non-witness UTXO', SIGN_PSBT_ERROR.MISSING_NONWITNESSUTXO_OR_UNEXPECTED_WITNESSUTXO_FOR_LEGACY);
    if (segwit === 0 && !input.hasNonWitnessUtxo) st.warnings.missingNonWitness = true;
    if (segwit >= 0 && !input.hasWitnessUtxo) throw incorrectData('segwit input needs the witness UTXO', SIGN_PSBT_ERROR.MISSING_WITNESSUTXO_FOR_SEGWIT);
    if (!input.hasSighashType) continue;
    const sighash = await u32Value(st.host, input.map, PSBT_IN.SIGHASH_TYPE);
    if (sighash === undefined) throw incorrectData('malformed sighash type');
    const acpVariants = [SIGHASH.NONE, SIGHASH.SINGLE, 0x81, 0x82, 0x83];
    if ((segwit > 0 && sighash === SIGHASH.DEFAULT) || sighash === SIGHASH.ALL) {
      /* default signing rules */
    } else if (segwit >= 0 && acpVariants.includes(sighash)) st.warnings.nonDefaultSighash = true;
    else throw new AppError(SW.NOT_SUPPORTED, 'unsupported sighash type');
    if ((sighash & SIGHASH.SINGLE) === SIGHASH.SINGLE && i >= st.nOutputs)
      throw notSupported('SIGHASH_SINGLE without a matching output', SIGN_PSBT_ERROR.UNALLOWED_SIGHASH_SINGLE);
  }
  if (st.externalInputs === st.nInputs) throw incorrectData('no internal inputs');
  return internal;
}

async function preprocessOutputs(st: State): Promise<void> {
  for (let i = 0; i < st.nOutputs; i++) {
    const out: Partial<InOut> = { found: false, isChange: false, addressIndex: 0, badPubkey: false };
    const map = await st.host.getMerkleizedMap(st.outputsRoot, st.nOutputs, i, async (key, index, m) => {
      const type = key[0];
      if ((type !== PSBT_OUT.BIP32_DERIVATION && type !== PSBT_OUT.TAP_BIP32_DERIVATION) || out.found) return;
      const d = await readDerivation(st, m, key, index, type === PSBT_OUT.TAP_BIP32_DERIVATION);
      if (d === undefined) out.badPubkey = true;
      else if (d !== null)
        for (const k of st.ours)
          if (compatible(k, d)) {
            // An output only asks whether it is ours: the first match answers, and no more derivations are read.
            Object.assign(out, placeOf(k, d));
            break;
          }
    });
    if (!map) throw incorrectData(`output map ${i} did not verify`);
    if (out.badPubkey) throw incorrectData('unexpected pubkey length in a derivation');
    const raw = await st.host.getMapValue(map, Uint8Array.of(PSBT_OUT.AMOUNT), 8);
    if (raw === undefined || raw.length !== 8) throw incorrectData('missing output amount');
    const amount = new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true);
    if (amount > BITCOIN_TOTAL_SUPPLY) throw incorrectData('output amount above the total supply');
    st.outputsTotal += amount;
    const script = await st.host.getMapValue(map, Uint8Array.of(PSBT_OUT.SCRIPT), 83);
    if (script === undefined) throw incorrectData('missing output script');
    const io = { ...out, map, script } as InOut;
    const isChange = io.found && io.isChange && (await isOwnScript(st, io));
    if (isChange) {
      st.changeTotal += amount;
      st.nChange++;
    } else st.externalOutputs.push({ script, amount });
  }
  if (st.inputsTotal < st.outputsTotal) throw incorrectData('negative fee');
  if (st.nChange > 10) throw notSupported('too many change outputs', SIGN_PSBT_ERROR.TOO_MANY_CHANGE_OUTPUTS);
}

async function reviewTransaction(st: State): Promise<void> {
  const { ctx, net } = st;
  const fee = st.inputsTotal - st.outputsTotal;
  const highFee = 10n * fee >= st.inputsTotal && st.inputsTotal > 100000n;
  const warnings: ['nonDefaultSighash' | 'externalInputs' | 'missingNonWitness', Parameters<typeof warningPage>[1]][] = [
    ['nonDefaultSighash', 'non-default-sighash'],
    ['externalInputs', 'external-inputs'],
    ['missingNonWitness', 'unverified-inputs'],
  ];
  for (const [flag, kind] of warnings) if (st.warnings[flag] && !(await ctx.warn(warningPage(ctx.family, kind)))) throw denied();
  const simplifiedMax = ctx.model.id === 'nanox' ? 8 : 16;
  const outputs = st.externalOutputs.map((o) => {
    const to = describeOutput(o.script, net);
    if (to === undefined) throw notSupported('output script cannot be shown');
    return { amount: formatAmount(o.amount, net.ticker), to };
  });
  const flow = transactionReview(ctx.family, {
    ...(st.isDefault ? {} : { walletName: st.policy.header.name }),
    outputs,
    fee: formatAmount(fee, net.ticker),
    highFee,
    streaming: outputs.length > simplifiedMax,
  });
  if (!(await ctx.review(flow))) throw denied();
}

async function yieldSignature(st: State, input: number, pubkey: Uint8Array, leafHash: Uint8Array | undefined, sig: Uint8Array): Promise<void> {
  const y = { type: 'partialSignature', inputIndex: input, pubkey, ...(leafHash ? { tapleafHash: leafHash } : {}), signature: sig } as const;
  await st.host.yieldData(encodeSignPsbtYield(y, st.protocolVersion));
}

interface MusigInputInfo {
  keys: Uint8Array[];
  aggTweaked: Uint8Array;
  tweaks: Uint8Array[];
  isXonly: boolean[];
  sessionId: Uint8Array;
}

const taggedHash = (tag: string, ...parts: Uint8Array[]): Uint8Array => {
  const t = sha256(new TextEncoder().encode(tag));
  return sha256(concat(t, t, ...parts));
};

/** compute_musig_per_input_info: participant keys (fetched again), tweaks, tweaked aggregate, session id. */
async function musigInputInfo(st: State, k: OurKeyExpr, input: InputInfo, taptreeRoot: Uint8Array | undefined, hashes: TxHashes): Promise<MusigInputInfo> {
  if (k.expr.kind !== 'musig' || st.policy.root.kind !== 'tr') throw badState('not a musig key expression');
  const keys: Uint8Array[] = [];
  for (const key of k.expr.keys) {
    const got = await fetchKeyInfo(st.host, st.policy.header, key);
    if (!got) throw badState('musig key information did not verify');
    keys.push(got.info.xpub.pubkey);
  }
  keys.sort((a, b) => {
    for (let i = 0; i < 33; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  });
  const meter = meterOf(st.ctx);
  const step1 = ckdPub(k.pubkey, input.isChange ? k.expr.numSecond : k.expr.numFirst, meter);
  const step2 = ckdPub(step1.child, input.addressIndex, meter);
  const tweaks = [step1.tweak, step2.tweak];
  const isXonly = [false, false];
  let aggTweaked = step2.child.pubkey;
  if (!k.leaf) {
    const tt = taprootTweak(aggTweaked.subarray(1), st.policy.root.tree ? taptreeRoot : undefined, meter);
    tweaks.push(tt.tweak);
    isXonly.push(true);
    aggTweaked = concat(Uint8Array.of(0x02 + tt.parity), tt.outputKey);
  }
  const sessionId = taggedHash('PsbtSessionId', st.policy.header.keysRoot, txHashesBytes(hashes));
  return { keys, aggTweaked, tweaks, isXonly, sessionId };
}

/** fill_taproot_keyexpr_info: the hash of the leaf holding this key expression, at the input's path. */
async function computeLeafHash(st: State, k: OurKeyExpr, input: InputInfo): Promise<void> {
  if (k.leaf) k.tapleafHash = await tapleafHash(st.host, derivationFor(st, input.isChange, input.addressIndex), k.leaf);
}

async function taptreeRootFor(st: State, input: InputInfo): Promise<Uint8Array | undefined> {
  const root = st.policy.root;
  if (root.kind !== 'tr' || !root.tree) return undefined;
  try {
    return await taptreeHash(st.host, derivationFor(st, input.isChange, input.addressIndex), root.tree);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw badState('could not compute the taptree');
  }
}

/**
 * The app's walk over what it signs, in MuSig2 round 1 and in signing alike: each of `keys` marked
 * to sign whose keys are still ours when fetched again, then each internal input, read again, with
 * the key's tapleaf hash for it.
 */
async function forEachSigningInput(st: State, internal: boolean[], keys: readonly OurKeyExpr[], visit: (k: OurKeyExpr, input: InputInfo, i: number) => Promise<void>): Promise<void> {
  for (const k of keys) {
    if (!k.toSign || !(await fillIfOurs(st, k.expr, k.index, k.leaf))) continue;
    for (let i = 0; i < st.nInputs; i++) {
      if (!internal[i]) continue;
      const input = await readInput(st, i);
      await computeLeafHash(st, k, input);
      await visit(k, input, i);
    }
  }
}

async function produceMusigPubnonces(st: State, internal: boolean[], hashes: TxHashes, musig: MusigSigningState): Promise<void> {
  if (st.policy.root.kind !== 'tr') return;
  const musigKeys = st.ours.filter((k) => k.expr.kind === 'musig');
  await forEachSigningInput(st, internal, musigKeys, async (k, input, i) => {
    const treeRoot = await taptreeRootFor(st, input);
    const info = await musigInputInfo(st, k, input, treeRoot, hashes);
    const session = musig.round1Init(st.ctx.nvram, info.sessionId, (n) => st.ctx.random(n));
    const nonces = nonceGen(k.internalPubkey.pubkey, undefined, info.aggTweaked.subarray(1), undefined, undefined, randIJ(session, i, k.index));
    chargeNonceGen(st.ctx);
    if (st.protocolVersion === 0) throw badState('MuSig2 needs protocol version 1');
    await st.host.yieldData(
      encodeSignPsbtYield({
        type: 'musigPubNonce',
        inputIndex: i,
        pubnonce: nonces.public,
        participantPubkey: k.internalPubkey.pubkey,
        aggregatePubkey: info.aggTweaked,
        ...(k.leaf ? { tapleafHash: k.tapleafHash! } : {}),
      }),
    );
  });
}

async function signMusig(st: State, k: OurKeyExpr, input: InputInfo, inputIndex: number, treeRoot: Uint8Array | undefined, hashes: TxHashes, musig: MusigSigningState, sighash: Uint8Array): Promise<void> {
  const info = await musigInputInfo(st, k, input, treeRoot, hashes);
  const idFor = (participant: Uint8Array): Uint8Array =>
    concat(Uint8Array.of(PSBT_IN.MUSIG2_PUB_NONCE), participant, info.aggTweaked, k.leaf ? k.tapleafHash! : new Uint8Array());
  const mine = await st.host.getMapValue(input.map, idFor(k.internalPubkey.pubkey), 66);
  if (mine === undefined || mine.length !== 66) throw incorrectData('own pubnonce missing from the PSBT');
  const session = musig.round2Init(st.ctx.nvram, info.sessionId);
  if (!session) throw badState('no MuSig2 session for this PSBT');
  const nonces: Uint8Array[] = [];
  for (const key of info.keys) {
    const n = await st.host.getMapValue(input.map, idFor(key), 66);
    if (n === undefined || n.length !== 66) throw incorrectData('cosigner pubnonce missing');
    nonces.push(n);
  }
  let aggNonce: Uint8Array;
  try {
    aggNonce = nonceAggregate(nonces);
  } catch {
    throw incorrectData('invalid cosigner pubnonce');
  }
  const regenerated = nonceGen(k.internalPubkey.pubkey, undefined, info.aggTweaked.subarray(1), undefined, undefined, randIJ(session, inputIndex, k.index));
  chargeNonceGen(st.ctx);
  let psig: Uint8Array;
  try {
    const secret = privateKeyAt(st.ctx, k.keyDerivation, st.net);
    // musig_sign: key aggregation (one multiplication per key), g·Q and t·G per tweak, b·R2, and
    // the signer's own public key
    for (let m = 0; m < info.keys.length + 2 * info.tweaks.length + 2; m++) st.ctx.rngCharge?.('point-mul');
    psig = new Session(aggNonce, info.keys, sighash, info.tweaks, info.isXonly).sign(regenerated.secret, secret, true);
  } catch {
    throw badState('MuSig2 signing failed');
  }
  await st.host.yieldData(
    encodeSignPsbtYield({
      type: 'musigPartialSignature',
      inputIndex,
      partialSignature: psig,
      participantPubkey: k.internalPubkey.pubkey,
      aggregatePubkey: info.aggTweaked,
      ...(k.leaf ? { tapleafHash: k.tapleafHash! } : {}),
    }),
  );
}

async function signInput(st: State, k: OurKeyExpr, input: InputInfo, i: number, hashes: TxHashes, musig: MusigSigningState): Promise<void> {
  const { host } = st;
  if (input.hasSighashType) {
    const s = await u32Value(host, input.map, PSBT_IN.SIGHASH_TYPE);
    if (s === undefined) throw incorrectData('malformed sighash type');
    input.sighashType = s;
  }
  const signPath = [...k.keyDerivation, input.isChange ? k.expr.numSecond : k.expr.numFirst, input.addressIndex];
  const secretAt = (path: number[]): Uint8Array => {
    try {
      return privateKeyAt(st.ctx, path, st.net);
    } catch {
      throw badState('signing key not derivable');
    }
  };
  if (!input.hasWitnessUtxo) {
    const prev = await nonWitnessUtxo(host, input.map);
    if (!prev) throw incorrectData('non-witness UTXO did not verify');
    const type = input.hasSighashType ? input.sighashType & 0xff : SIGHASH.ALL;
    const digest = await sighashLegacy(host, st, input.map, i, input.hasRedeemScript, prev.script, type);
    const secret = secretAt(signPath);
    const { der } = ecdsaSign(digest, secret, meterOf(st.ctx));
    await yieldSignature(st, i, compressedPubkey(st.ctx, secret), undefined, concat(der, Uint8Array.of(type)));
    return;
  }
  const w = await witnessUtxo(host, input.map);
  if (!w) throw incorrectData('malformed witness UTXO');
  let script = w.script;
  if (input.hasRedeemScript) {
    const redeem = await host.getMapValue(input.map, Uint8Array.of(PSBT_IN.REDEEM_SCRIPT), MAX_PREVOUT_SCRIPT);
    if (redeem === undefined) throw incorrectData('missing redeem script');
    const p2sh = concat(Uint8Array.of(0xa9, 0x14), hash160(redeem), Uint8Array.of(0x87));
    if (!equal(p2sh, w.script)) throw incorrectData('redeem script does not match', SIGN_PSBT_ERROR.MISMATCHING_REDEEM_SCRIPT);
    script = redeem;
  }
  const segwit = segwitVersion(st.policy.root);
  if (segwit === 0) {
    const type = input.hasSighashType ? input.sighashType & 0xff : SIGHASH.ALL;
    const digest = await sighashSegwitV0(host, st, hashes, input.map, i, script, type);
    const secret = secretAt(signPath);
    const { der } = ecdsaSign(digest, secret, meterOf(st.ctx));
    await yieldSignature(st, i, compressedPubkey(st.ctx, secret), undefined, concat(der, Uint8Array.of(type)));
    return;
  }
  if (segwit !== 1 || st.policy.root.kind !== 'tr') throw badState('unexpected script type');
  const type = input.hasSighashType ? input.sighashType & 0xff : SIGHASH.DEFAULT;
  const digest = await sighashTaproot(host, st, hashes, input.map, i, w.script, k.leaf ? k.tapleafHash : undefined, type);
  const treeRoot = !k.leaf && st.policy.root.tree ? await taptreeRootFor(st, input) : undefined;
  if (k.expr.kind === 'musig') {
    if (st.hasMusigNonces) await signMusig(st, k, input, i, treeRoot, hashes, musig, digest);
    return;
  }
  let secret = secretAt(signPath);
  if (!k.leaf) {
    // crypto_tr_tweak_seckey computes d·G
    st.ctx.rngCharge?.('point-mul');
    const P = schnorr.Point.BASE.multiply(bytesToNumberBE(secret));
    const xonly = P.toBytes(true).subarray(1);
    const tt = taprootTweak(xonly, treeRoot);
    const N = schnorr.Point.Fn.ORDER;
    const d = P.toBytes(true)[0] === 0x03 ? N - bytesToNumberBE(secret) : bytesToNumberBE(secret);
    secret = numberToBytesBE((d + bytesToNumberBE(tt.tweak)) % N, 32);
  }
  // the public key of the (tweaked) signing key comes first (cx_ecfp_generate_pair)
  st.ctx.rngCharge?.('point-mul');
  const pub = schnorr.getPublicKey(secret);
  const sig = schnorrSignRandomNonce(digest, secret, (n) => st.ctx.random(n), meterOf(st.ctx));
  await yieldSignature(st, i, pub, k.leaf ? k.tapleafHash : undefined, type === 0 ? sig : concat(sig, Uint8Array.of(type)));
}

/** musig_nonce_gen: R1 = k1·G and R2 = k2·G. */
function chargeNonceGen(ctx: AppContext): void {
  ctx.rngCharge?.('point-mul');
  ctx.rngCharge?.('point-mul');
}

/** The signing key's public key (cx_ecfp_generate_pair). */
function compressedPubkey(ctx: AppContext, secret: Uint8Array): Uint8Array {
  ctx.rngCharge?.('point-mul');
  return schnorr.Point.BASE.multiply(bytesToNumberBE(secret)).toBytes(true);
}

function signTransaction(st: State, internal: boolean[], hashes: TxHashes, musig: MusigSigningState): Promise<void> {
  return forEachSigningInput(st, internal, st.ours, (k, input, i) => signInput(st, k, input, i, hashes, musig));
}

export const signPsbt = handler(spec, async (cmd, req) => {
  const st = await initGlobal(cmd, req);
  const internal = await preprocessInputs(st);
  await preprocessOutputs(st);
  const onlyMusig = st.ours.every((k) => !k.toSign || k.expr.kind === 'musig');
  const musig = new MusigSigningState();
  const hashes = await computeTxHashes(st.host, st);
  if (!st.hasMusigNonces) await produceMusigPubnonces(st, internal, hashes, musig);
  if (!onlyMusig || st.hasMusigNonces) {
    await reviewTransaction(st);
    st.ctx.busy('Signing transaction');
    await signTransaction(st, internal, hashes, musig);
  }
  musig.commit(st.ctx.nvram);
});
