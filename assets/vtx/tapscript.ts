// Verification of a BIP-341 witness against a taproot output key, for the asset-level script
// keys and group keys (tapd runs btcd's txscript engine with StandardVerifyFlags). Key-path spends
// are checked fully; script-path spends check the control block commitment and run a small
// tapscript subset: pushes, OP_DUP/DROP/VERIFY/EQUAL(VERIFY)/SHA256/HASH160, OP_CHECKSIG(VERIFY),
// OP_CHECKLOCKTIMEVERIFY and OP_CHECKSEQUENCEVERIFY. Any other opcode is refused by name, never
// treated as success.

import { ripemd160 } from '@noble/hashes/legacy.js';
import { ByteReader, equal, toHex } from '../../apdu/bytes.ts';
import { AssetVerifyError } from '../errors.ts';
import { liftX, sha256, tapBranchHash, tapLeafHash, taprootTweak, verifySchnorr } from '../crypto.ts';

export interface SpendContext {
  /** Computes the sighash for a key-path (no leaf) or script-path spend. */
  sighash(sighashType: number, leaf?: { script: Uint8Array; version: number }): Uint8Array;
  lockTime: number;
  sequence: number;
}

const fail = (field: string, msg: string): never => {
  throw new AssetVerifyError(field, msg);
};

function splitSig(sig: Uint8Array, field: string): { sig: Uint8Array; type: number } {
  if (sig.length === 64) return { sig, type: 0 };
  if (sig.length === 65) {
    if (sig[64] === 0) fail(field, 'invalid signature: explicit SIGHASH_DEFAULT byte');
    return { sig: sig.subarray(0, 64), type: sig[64]! };
  }
  return fail(field, `invalid signature length: expected 64 or 65 bytes, got ${sig.length}`);
}

/** Verifies `witness` spends the taproot output key `outputKey` (32-byte x-only); throws AssetVerifyError. */
export function verifyTaprootWitness(outputKey: Uint8Array, witness: Uint8Array[], ctx: SpendContext, field: string): void {
  if (witness.length === 0) fail(field, 'input has no witness');
  if (witness.length >= 2 && witness[witness.length - 1]![0] === 0x50) fail(field, 'annex is not supported');
  if (witness.length === 1) {
    const { sig, type } = splitSig(witness[0]!, `${field}[0]`);
    if (!verifySchnorr(sig, ctx.sighash(type), outputKey)) fail(`${field}[0]`, 'invalid key-path signature for the script key');
    return;
  }
  const control = witness[witness.length - 1]!;
  const script = witness[witness.length - 2]!;
  if (control.length < 33 || (control.length - 33) % 32 !== 0 || control.length > 33 + 128 * 32)
    fail(`${field}.controlBlock`, `invalid control block length ${control.length}`);
  const version = control[0]! & 0xfe;
  const internal = liftX(control.subarray(1, 33), `${field}.controlBlock.internalKey`);
  let node = tapLeafHash(script, version);
  for (let o = 33; o < control.length; o += 32) node = tapBranchHash(node, control.subarray(o, o + 32));
  const q = taprootTweak(internal, node).toBytes(true);
  if (!equal(q.subarray(1), outputKey) || (q[0]! & 1) !== (control[0]! & 1))
    fail(`${field}.controlBlock`, 'control block does not commit the script to the output key');
  if (version !== 0xc0) fail(`${field}.controlBlock`, `unsupported leaf version 0x${version.toString(16)}`);
  runTapscript(script, witness.slice(0, -2), ctx, field);
}

const isTrue = (v: Uint8Array): boolean => v.some((b, i) => b !== 0 && !(i === v.length - 1 && b === 0x80));

function scriptNum(v: Uint8Array, field: string, maxLen = 4): bigint {
  if (v.length > maxLen) fail(field, `script number longer than ${maxLen} bytes`);
  if (v.length === 0) return 0n;
  if ((v[v.length - 1]! & 0x7f) === 0 && (v.length === 1 || (v[v.length - 2]! & 0x80) === 0)) fail(field, 'non-minimal script number');
  let n = 0n;
  for (let i = v.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(i === v.length - 1 ? v[i]! & 0x7f : v[i]!);
  return v[v.length - 1]! & 0x80 ? -n : n;
}

function numBytes(n: number): Uint8Array {
  if (n === 0) return new Uint8Array();
  return n < 0 ? Uint8Array.of(0x80 | -n) : Uint8Array.of(n);
}

function runTapscript(script: Uint8Array, initial: Uint8Array[], ctx: SpendContext, field: string): void {
  const stack = [...initial];
  const leaf = { script, version: 0xc0 };
  const r = new ByteReader(script, `${field}.script`);
  const pop = (op: string): Uint8Array => stack.pop() ?? fail(field, `${op}: stack underflow`);
  const top = (op: string): Uint8Array => stack[stack.length - 1] ?? fail(field, `${op}: stack underflow`);
  const checksig = (): boolean => {
    const key = pop('OP_CHECKSIG');
    const sigFull = pop('OP_CHECKSIG');
    if (key.length !== 32) fail(field, `OP_CHECKSIG: unsupported public key length ${key.length}`);
    if (sigFull.length === 0) return false;
    const { sig, type } = splitSig(sigFull, field);
    if (!verifySchnorr(sig, ctx.sighash(type, leaf), key)) fail(field, 'signature not empty on failed checksig');
    return true;
  };
  while (!r.done) {
    const op = r.u8('opcode');
    if (op === 0) stack.push(new Uint8Array());
    else if (op <= 0x4b) stack.push(r.bytesN(op, 'push'));
    else if (op === 0x4c) stack.push(r.bytesN(r.u8('push length'), 'push'));
    else if (op === 0x4d) {
      const len = r.bytesN(2, 'push length');
      stack.push(r.bytesN(len[0]! | (len[1]! << 8), 'push'));
    }
    else if (op === 0x4f) stack.push(numBytes(-1));
    else if (op >= 0x51 && op <= 0x60) stack.push(numBytes(op - 0x50));
    else if (op === 0x69) {
      if (!isTrue(pop('OP_VERIFY'))) fail(field, 'OP_VERIFY failed');
    } else if (op === 0x75) pop('OP_DROP');
    else if (op === 0x76) stack.push(top('OP_DUP'));
    else if (op === 0x87 || op === 0x88) {
      const eq = equal(pop('OP_EQUAL'), pop('OP_EQUAL'));
      if (op === 0x88) {
        if (!eq) fail(field, 'OP_EQUALVERIFY failed');
      } else stack.push(eq ? numBytes(1) : new Uint8Array());
    } else if (op === 0xa8) stack.push(sha256(pop('OP_SHA256')));
    else if (op === 0xa9) stack.push(ripemd160(sha256(pop('OP_HASH160'))));
    else if (op === 0xac) stack.push(checksig() ? numBytes(1) : new Uint8Array());
    else if (op === 0xad) {
      if (!checksig()) fail(field, 'OP_CHECKSIGVERIFY failed');
    } else if (op === 0xb1) checkLockTime(scriptNum(top('OP_CHECKLOCKTIMEVERIFY'), field, 5), ctx, field);
    else if (op === 0xb2) checkSequence(scriptNum(top('OP_CHECKSEQUENCEVERIFY'), field, 5), ctx, field);
    else fail(field, `unsupported opcode 0x${op.toString(16)} in tapscript ${toHex(script)}`);
  }
  if (stack.length !== 1) fail(field, `stack must contain exactly one item (contains ${stack.length})`);
  if (!isTrue(stack[0]!)) fail(field, 'false stack entry at end of script execution');
}

const LOCKTIME_THRESHOLD = 500_000_000n;

function checkLockTime(n: bigint, ctx: SpendContext, field: string): void {
  if (n < 0n) fail(field, 'negative lock time');
  const tx = BigInt(ctx.lockTime);
  if ((n < LOCKTIME_THRESHOLD) !== (tx < LOCKTIME_THRESHOLD)) fail(field, 'mismatched locktime types');
  if (n > tx) fail(field, `locktime requirement not satisfied (${n} > ${tx})`);
  if (ctx.sequence === 0xffffffff) fail(field, 'transaction input is finalized');
}

function checkSequence(n: bigint, ctx: SpendContext, field: string): void {
  if (n < 0n) fail(field, 'negative sequence');
  if (n & (1n << 31n)) return;
  const seq = BigInt(ctx.sequence);
  if (seq & (1n << 31n)) fail(field, 'transaction sequence has sequence locktime disabled bit set');
  const mask = 0x0000ffffn | (1n << 22n);
  const a = n & mask;
  const b = seq & mask;
  if ((a < 1n << 22n) !== (b < 1n << 22n)) fail(field, 'mismatched sequence types');
  if (a > b) fail(field, `sequence requirement not satisfied (${a} > ${b})`);
}

