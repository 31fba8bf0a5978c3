// The host trusts nothing a device returns (docs/SECURITY.md): every SIGN_PSBT result is checked
// against the PSBT and the wallet policy before it is returned or written into a PSBT.
//
// The input's output is derived on the host from the policy at the (change, index) its derivation
// entries name, and must be the script the input spends. Then:
// - ECDSA (BIP-143 for segwit v0, the legacy digest otherwise): the key is one the input's
//   PSBT_IN_BIP32_DERIVATION lists and the host's output uses, and the DER signature verifies over
//   the digest of the sighash type it carries;
// - Schnorr key path (BIP-341): the key is the output key of the host's derivation (internal key
//   tweaked with the policy's taptree root), and the signature verifies over the key-path digest;
// - Schnorr script path: the leaf is one of the policy's leaves, the key one that leaf uses, and the
//   signature verifies over the digest that commits to that leaf;
// - MuSig2 (BIP-327/373): participant and aggregate are those of a musig() of the policy at this
//   input; a pubnonce must be two points; a partial signature must pass PartialSigVerify with the
//   pubnonces the PSBT carries for every participant.
// A failure is a DeviceSignatureError naming the input.

import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { OutScript, SigHash, Transaction } from '@scure/btc-signer';
import { Session, nonceAggregate } from '@scure/btc-signer/musig2.js';
import { hash160 } from '@scure/btc-signer/utils.js';
import { equal, toHex } from '../../apdu/bytes.ts';
import type { MusigPartialSignatureYield, MusigPubNonceYield, PartialSignatureYield, SignPsbtYield } from '../../apdu/yields.ts';
import { policyOutput, type DerivedOutput } from '../../bitcoin/descriptor/scripts.ts';
import { parsePolicy, type ParsedPolicy } from '../../bitcoin/descriptor/template.ts';
import { musigContexts, type MusigKeyContext } from '../../bitcoin/musig/context.ts';
import { getMusigPubNonces } from '../../bitcoin/musig/psbt-fields.ts';
import type { WalletPolicy } from '../../bitcoin/wallet-policy.ts';
import { DeviceSignatureError } from '../errors.ts';

/** Transaction.preimageLegacy exists at runtime but is typed private; the legacy digest is not ours to rewrite. */
type LegacyDigest = { preimageLegacy(idx: number, prevOutScript: Uint8Array, hashType: number): Uint8Array };

interface InputContext {
  readonly index: number;
  readonly script: Uint8Array;
  readonly output: DerivedOutput;
}

class Verifier {
  private readonly parsed: ParsedPolicy;
  private readonly outputs = new Map<string, DerivedOutput>();
  private readonly inputs = new Map<number, InputContext>();

  constructor(
    private readonly tx: Transaction,
    policy: WalletPolicy,
  ) {
    this.parsed = parsePolicy(policy.descriptorTemplate, policy.keys);
  }

  private outputAt(branch: number, index: number): DerivedOutput {
    const key = `${branch}/${index}`;
    let out = this.outputs.get(key);
    if (!out) this.outputs.set(key, (out = policyOutput(this.parsed, branch === 1, index)));
    return out;
  }

  /** The spent script, and the policy's output at the (change, index) whose script it is. */
  input(i: number): InputContext {
    const known = this.inputs.get(i);
    if (known) return known;
    const input = this.tx.getInput(i);
    const script = spentScript(this.tx, i);
    const indexes = new Set<number>();
    for (const [, d] of input.bip32Derivation ?? []) if (d.path.length > 0) indexes.add(d.path[d.path.length - 1]!);
    for (const [, d] of input.tapBip32Derivation ?? []) if (d.der.path.length > 0) indexes.add(d.der.path[d.der.path.length - 1]!);
    for (const index of indexes) {
      if (index >= 0x80000000) continue;
      for (const branch of [0, 1]) {
        const output = this.outputAt(branch, index);
        if (equal(output.scriptPubKey, script)) {
          const ctx = { index: i, script, output };
          this.inputs.set(i, ctx);
          return ctx;
        }
      }
    }
    throw new DeviceSignatureError(i, `the device signed it, but the policy has no address among its derivations (${[...indexes].join(', ') || 'none'}) whose script is the one it spends (${toHex(script)})`);
  }

  private taprootDigest(i: number, hashType: number, leafScript?: Uint8Array): Uint8Array {
    const scripts: Uint8Array[] = [];
    const amounts: bigint[] = [];
    for (let k = 0; k < this.tx.inputsLength; k++) {
      const w = this.tx.getInput(k).witnessUtxo;
      if (!w) throw new DeviceSignatureError(i, `a taproot digest needs every spent output, and input ${k} has no witness UTXO`);
      scripts.push(w.script);
      amounts.push(w.amount);
    }
    return leafScript ? this.tx.preimageWitnessV1(i, scripts, hashType, amounts, -1, leafScript, 0xc0) : this.tx.preimageWitnessV1(i, scripts, hashType, amounts);
  }

  signature(y: PartialSignatureYield): void {
    const i = y.inputIndex;
    const { output, script } = this.input(i);
    if (y.pubkey.length === 33) return this.ecdsa(y, output);
    const tr = output.taproot;
    if (!tr) throw new DeviceSignatureError(i, `expected an ECDSA signature with a 33-byte key for ${toHex(script)}, got a 32-byte key`);
    const { sig, hashType } = splitSchnorr(i, y.signature);
    if (!y.tapleafHash) {
      if (!equal(y.pubkey, tr.output.outputKey))
        throw new DeviceSignatureError(i, `key path: expected the output key ${toHex(tr.output.outputKey)} (internal key tweaked with the policy's taptree), got ${toHex(y.pubkey)}`);
      if (!schnorr.verify(sig, this.taprootDigest(i, hashType), y.pubkey))
        throw new DeviceSignatureError(i, `key-path Schnorr signature does not verify for ${toHex(y.pubkey)}`);
      return;
    }
    const leaves = tr.tree?.leaves ?? [];
    const at = leaves.findIndex((l) => equal(l.leafHash, y.tapleafHash!));
    if (at < 0) throw new DeviceSignatureError(i, `script path: leaf ${toHex(y.tapleafHash)} is not a leaf of the policy's taptree`);
    if (!tr.leafKeys[at]!.some((k) => equal(xOnly(k.publicKey), y.pubkey)))
      throw new DeviceSignatureError(i, `script path: key ${toHex(y.pubkey)} is not a key of leaf ${toHex(y.tapleafHash)}`);
    if (!schnorr.verify(sig, this.taprootDigest(i, hashType, leaves[at]!.script), y.pubkey))
      throw new DeviceSignatureError(i, `script-path Schnorr signature does not verify for ${toHex(y.pubkey)} in leaf ${toHex(y.tapleafHash)}`);
  }

  private ecdsa(y: PartialSignatureYield, output: DerivedOutput): void {
    const i = y.inputIndex;
    const listed = (this.tx.getInput(i).bip32Derivation ?? []).some(([pub]) => equal(pub, y.pubkey));
    if (!listed) throw new DeviceSignatureError(i, `key ${toHex(y.pubkey)} is not among the input's BIP-32 derivations`);
    if (y.signature.length < 9) throw new DeviceSignatureError(i, `expected a DER signature and a sighash byte, got ${y.signature.length} bytes`);
    const der = y.signature.subarray(0, -1);
    const hashType = y.signature[y.signature.length - 1]!;
    const input = this.tx.getInput(i);
    let digest: Uint8Array;
    const program = output.redeemScript ?? output.scriptPubKey;
    if (output.witnessScript || isP2wpkh(program)) {
      if (!input.witnessUtxo) throw new DeviceSignatureError(i, 'a segwit digest needs the witness UTXO, and the input has none');
      if (!output.witnessScript && !equal(program.subarray(2), hash160(y.pubkey)))
        throw new DeviceSignatureError(i, `key ${toHex(y.pubkey)} is not the key of ${toHex(program)}`);
      const scriptCode = output.witnessScript ?? OutScript.encode({ type: 'pkh', hash: program.subarray(2) });
      digest = this.tx.preimageWitnessV0(i, scriptCode, hashType, input.witnessUtxo.amount);
    } else {
      digest = (this.tx as unknown as LegacyDigest).preimageLegacy(i, output.redeemScript ?? output.scriptPubKey, hashType);
    }
    let valid = false;
    try {
      valid = secp256k1.verify(der, digest, y.pubkey, { prehash: false, format: 'der', lowS: false });
    } catch {
      valid = false;
    }
    if (!valid) throw new DeviceSignatureError(i, `ECDSA signature does not verify for ${toHex(y.pubkey)} (sighash type ${hashType})`);
  }

  /** The musig() of the policy at this input that the result names by aggregate and leaf. */
  private musigContext(y: MusigPubNonceYield | MusigPartialSignatureYield): MusigKeyContext {
    const i = y.inputIndex;
    const leaf = y.tapleafHash;
    const ctx = musigContexts(this.input(i).output).find(
      (c) => equal(c.aggregatePubkey, y.aggregatePubkey) && (leaf === undefined ? c.leafHash === undefined : c.leafHash !== undefined && equal(c.leafHash, leaf)),
    );
    if (!ctx)
      throw new DeviceSignatureError(i, `MuSig2 aggregate ${toHex(y.aggregatePubkey)}${leaf ? ` in leaf ${toHex(leaf)}` : ''} is not a musig() of the policy at this input`);
    if (!ctx.participants.some((p) => equal(p, y.participantPubkey)))
      throw new DeviceSignatureError(i, `MuSig2 participant ${toHex(y.participantPubkey)} is not a participant of aggregate ${toHex(y.aggregatePubkey)}`);
    return ctx;
  }

  pubnonce(y: MusigPubNonceYield): void {
    this.musigContext(y);
    try {
      nonceAggregate([y.pubnonce]);
    } catch {
      throw new DeviceSignatureError(y.inputIndex, `MuSig2 pubnonce ${toHex(y.pubnonce)} is not two points on secp256k1`);
    }
  }

  partialSignature(y: MusigPartialSignatureYield): void {
    const i = y.inputIndex;
    const ctx = this.musigContext(y);
    const known = getMusigPubNonces(this.tx, i).filter(
      (n) => equal(n.aggregate, y.aggregatePubkey) && (y.tapleafHash === undefined ? n.leafHash === undefined : n.leafHash !== undefined && equal(n.leafHash, y.tapleafHash)),
    );
    const pubnonces = ctx.participants.map((p) => known.find((n) => equal(n.participant, p))?.pubnonce);
    // The device signs round 2 only with every pubnonce in the PSBT; without them there is nothing to check against.
    if (pubnonces.some((n) => n === undefined))
      throw new DeviceSignatureError(i, `MuSig2 partial signature without the pubnonces of every participant in the PSBT: it cannot be verified`);
    const leafScript = ctx.leafHash ? this.input(i).output.taproot?.tree?.leaves.find((l) => equal(l.leafHash, ctx.leafHash!))?.script : undefined;
    // The app signs with the input's sighash type, SIGHASH_DEFAULT when the PSBT names none.
    const message = this.taprootDigest(i, this.tx.getInput(i).sighashType ?? SigHash.DEFAULT, leafScript);
    const nonces = pubnonces as Uint8Array[];
    let valid = false;
    try {
      const session = new Session(nonceAggregate(nonces), [...ctx.participants], message, [...ctx.tweaks], [...ctx.isXonly]);
      const signer = ctx.participants.findIndex((p) => equal(p, y.participantPubkey));
      valid = session.partialSigVerify(y.partialSignature, nonces, signer);
    } catch {
      valid = false;
    }
    if (!valid)
      throw new DeviceSignatureError(i, `MuSig2 partial signature of ${toHex(y.participantPubkey)} fails PartialSigVerify (BIP-327) for aggregate ${toHex(y.aggregatePubkey)}`);
  }
}

function spentScript(tx: Transaction, i: number): Uint8Array {
  const input = tx.getInput(i);
  if (input.witnessUtxo) return input.witnessUtxo.script;
  const prev = input.nonWitnessUtxo?.outputs[input.index ?? -1];
  if (!prev) throw new DeviceSignatureError(i, 'the input names no spent output (no witness or non-witness UTXO)');
  return prev.script;
}

const xOnly = (pub: Uint8Array): Uint8Array => (pub.length === 33 ? pub.subarray(1) : pub);
const isP2wpkh = (s: Uint8Array): boolean => s.length === 22 && s[0] === 0x00 && s[1] === 0x14;

function splitSchnorr(i: number, signature: Uint8Array): { sig: Uint8Array; hashType: number } {
  if (signature.length === 64) return { sig: signature, hashType: SigHash.DEFAULT };
  if (signature.length === 65 && signature[64] !== SigHash.DEFAULT) return { sig: signature.subarray(0, 64), hashType: signature[64]! };
  throw new DeviceSignatureError(i, `expected a 64-byte Schnorr signature or 65 with a non-default sighash byte, got ${signature.length} bytes`);
}

/** Throws DeviceSignatureError unless every result verifies for `tx` (the PSBT signed) and `policy`. */
export function verifySignPsbtResults(tx: Transaction, policy: WalletPolicy, results: readonly SignPsbtYield[]): void {
  const v = new Verifier(tx, policy);
  for (const y of results) {
    if (y.type === 'partialSignature') v.signature(y);
    else if (y.type === 'musigPubNonce') v.pubnonce(y);
    else v.partialSignature(y);
  }
}
