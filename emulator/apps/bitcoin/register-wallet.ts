// REGISTER_WALLET (E1 02): a serialized wallet policy in, its id and HMAC out (register_wallet.c;
// the bytes are apdu/bitcoin-app/register-wallet.ts). The device checks the policy, classifies each key (its own, a cosigner's,
// or the BIP-341 NUMS point), shows everything, and on approval returns the id with its
// SLIP-21-keyed HMAC, which later commands accept as proof of this registration.

import { equal, fromHex } from '../../../apdu/bytes.ts';
import { REGISTER_WALLET_ERROR } from '../../../apdu/bitcoin-app/error-codes.ts';
import { registerWallet as spec } from '../../../apdu/bitcoin-app/register-wallet.ts';
import { SW } from '../../../apdu/status.ts';
import type { Descriptor, Miniscript, ScriptContext } from '../../../bitcoin/descriptor/ast.ts';
import { miniscriptNodes, tapleaves } from '../../../bitcoin/descriptor/walk.ts';
import { DescriptorError } from '../../../bitcoin/errors.ts';
import { checkTopLevel } from '../../../bitcoin/miniscript/type.ts';
import { walletPolicyHmac } from '../../../bitcoin/wallet-policy.ts';
import type { AppContext } from '../../app.ts';
import type { HostChannel } from '../common/host-channel.ts';
import { handler } from './command.ts';
import { AppError, denied, incorrectData } from './errors.ts';
import { masterFingerprint, PathNotAllowedError, xpubAt, xpubEqual } from '../common/keys.ts';
import type { BitcoinNetwork } from './network.ts';
import { keyCount, keyExpressions } from './policy/template.ts';
import { fetchKeyInfo, MAX_WALLET_NAME_LENGTH, readAndParsePolicy, walletId, type WalletHeader } from './policy/wallet.ts';
import { type KeyShown, registerReview } from './review.ts';

const MAX_N_KEYS = 15;
const NUMS = fromHex('0250929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0');

function nameAcceptable(name: string): boolean {
  if (name.length === 0 || name.length > MAX_WALLET_NAME_LENGTH) return false;
  if (name.startsWith(' ') || name.endsWith(' ')) return false;
  return [...name].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) <= 0x7e);
}

/** older(n) arguments outside the consensus-meaningful ranges are refused (policy.c check_older_node_cb). */
function oldersSafe(root: Descriptor): boolean {
  return miniscriptNodes(root).every(({ fragment: f }) => {
    if (f.name !== 'older') return true;
    const v = f.value & ~(1 << 22);
    return v >= 1 && v <= 65535;
  });
}

/**
 * is_miniscript_sane, as far as the type system goes: the script in wsh() and every miniscript
 * tapleaf (not sortedmulti(), not sortedmulti_a()) must be of type B. The malleability, signature,
 * timelock-mixing, stack, ops and size analysis of the app is not reproduced.
 */
function topLevelTypesSane(root: Descriptor): boolean {
  const scripts: [Miniscript, ScriptContext][] =
    root.kind === 'wsh' && root.inner.kind === 'ms'
      ? [[root.inner, 'p2wsh']]
      : root.kind === 'tr' && root.tree
        ? tapleaves(root.tree).map((leaf) => [leaf, 'tapscript'])
        : [];
  try {
    for (const [m, context] of scripts) if (!m.fragment.name.startsWith('sorted')) checkTopLevel(m, context);
  } catch (e) {
    if (e instanceof DescriptorError) return false;
    throw e;
  }
  return true;
}

/** is_policy_sane, in its order: the miniscript checks first, then the key checks that fetch from the host. */
async function isPolicySane(host: HostChannel, header: WalletHeader, root: Descriptor): Promise<boolean> {
  if (!topLevelTypesSane(root)) return false;
  for (let i = 0; i < header.nKeys - 1; i++) {
    const a = await fetchKeyInfo(host, header, i);
    if (!a) return false;
    for (let j = i + 1; j < header.nKeys; j++) {
      const b = await fetchKeyInfo(host, header, j);
      if (!b) return false;
      if (equal(a.info.xpub.pubkey, b.info.xpub.pubkey)) return false;
    }
  }
  const exprs = keyExpressions(root, header.version).map((e) => e.expr);
  for (const e of exprs) if (e.kind === 'musig' && new Set(e.keys).size !== e.keys.length) return false;
  const samePlaceholder = (x: (typeof exprs)[number], y: (typeof exprs)[number]): boolean => {
    if (x.kind === 'key' && y.kind === 'key') return x.key === y.key;
    if (x.kind === 'musig' && y.kind === 'musig')
      return x.keys.length === y.keys.length && [...x.keys].sort().join() === [...y.keys].sort().join();
    return false;
  };
  for (let i = 0; i < exprs.length - 1; i++)
    for (let j = i + 1; j < exprs.length; j++) {
      const x = exprs[i]!;
      const y = exprs[j]!;
      if (samePlaceholder(x, y) && [x.numFirst, x.numSecond].some((n) => n === y.numFirst || n === y.numSecond)) return false;
    }
  return oldersSafe(root);
}

async function classifyKeys(ctx: AppContext, host: HostChannel, net: BitcoinNetwork, header: WalletHeader): Promise<KeyShown[]> {
  const fpr = masterFingerprint(ctx);
  const out: KeyShown[] = [];
  for (let i = 0; i < header.nKeys; i++) {
    const got = await fetchKeyInfo(host, header, i);
    if (!got) throw incorrectData(`key information @${i} did not verify or parse`);
    if (got.info.xpub.version !== net.xpubVersion) throw incorrectData(`key @${i} is for another network`);
    let kind: KeyShown['kind'] = 'external';
    if (equal(got.info.xpub.pubkey, NUMS)) kind = 'unspendable';
    else if (got.info.origin && got.info.origin.fingerprint === fpr) {
      let mine;
      try {
        mine = xpubAt(ctx, got.info.origin.path, net);
      } catch (e) {
        if (e instanceof PathNotAllowedError) throw new AppError(SW.NOT_SUPPORTED, e.message);
        throw e;
      }
      if (xpubEqual(got.info.xpub, mine)) kind = 'internal';
    }
    out.push({ kind, info: got.text });
  }
  return out;
}

export const registerWallet = handler(spec, async ({ ctx, net, host }, req) => {
  const policy = await readAndParsePolicy(host, req.policy);
  if (!policy) throw incorrectData('wallet policy could not be read or parsed');
  const { header, root, template } = policy;
  if (header.nKeys > MAX_N_KEYS) throw new AppError(SW.NOT_SUPPORTED, `at most ${MAX_N_KEYS} keys`);
  if (keyCount(root, header.version) !== header.nKeys) throw incorrectData('number of keys does not match the template');
  const id = walletId(header);
  if (!nameAcceptable(header.name)) throw incorrectData('unacceptable wallet name', REGISTER_WALLET_ERROR.UNACCEPTABLE_POLICY_NAME);
  if (!(await isPolicySane(host, header, root)))
    throw new AppError(SW.NOT_SUPPORTED, 'policy is not sane', REGISTER_WALLET_ERROR.POLICY_NOT_SANE);

  const keys = await classifyKeys(ctx, host, net, header);
  const internal = keys.filter((k) => k.kind === 'internal').length;
  if (internal < 1) throw incorrectData('no internal key', REGISTER_WALLET_ERROR.POLICY_HAS_NO_INTERNAL_KEY);
  if (internal !== 1 && header.version === 1) throw incorrectData('V1 policies need exactly one internal key');

  if (!(await ctx.review(registerReview(ctx.family, header.name, template, keys)))) throw denied();
  return { walletId: id, hmac: walletPolicyHmac(ctx.seed, id) };
});
