// GET_WALLET_ADDRESS (E1 03): `display:u8 || wallet_id[32] || hmac[32] || change:u8 || index:u32 BE`
// -> the address as ASCII (get_wallet_address.c). The policy comes from the host by its id; a
// zero HMAC is only accepted for default single-key policies, any other HMAC must match.

import { equal, equalConstantTime, utf8 } from '../../../apdu/bytes.ts';
import { SW } from '../../../apdu/status.ts';
import { scriptAddress } from './address.ts';
import type { Handler } from './command.ts';
import { walletPolicyHmac } from '../../../bitcoin/wallet-policy.ts';
import { AppError, badState, denied, incorrectData, wrongLength } from './errors.ts';
import { meterOf } from './keys.ts';
import { walletScript } from './policy/script.ts';
import { isStandardPolicy } from './policy/standard.ts';
import { MAX_SERIALIZED_POLICY, readAndParsePolicy, walletId } from './policy/wallet.ts';
import { Reply } from './reply.ts';
import { addressReview } from './review.ts';

export const getWalletAddress: Handler = async ({ ctx, net, host, body }) => {
  const display = body.u8();
  const id = body.take(32);
  const hmac = body.take(32);
  if (display === undefined || id === undefined || hmac === undefined) throw wrongLength('truncated GET_WALLET_ADDRESS');
  const change = body.u8();
  if (change === undefined) throw wrongLength('missing change flag');
  if (change > 1) throw incorrectData('change must be 0 or 1');
  const index = body.u32be();
  if (index === undefined) throw wrongLength('missing address index');
  if (index >= 0x80000000) throw incorrectData('address index must be unhardened');

  const serialized = await host.getPreimage(id, MAX_SERIALIZED_POLICY);
  if (serialized === undefined) throw incorrectData('wallet policy preimage did not verify');
  const policy = await readAndParsePolicy(host, new Reply(serialized));
  if (!policy) throw incorrectData('wallet policy could not be parsed');

  const isDefault = hmac.every((b) => b === 0);
  if (isDefault) {
    if (!(await isStandardPolicy(ctx, host, net, policy.header, policy.root))) throw incorrectData('not a default policy and no HMAC');
    if (policy.header.name.length !== 0) throw incorrectData('default policies have no name');
    if (index > 50000) throw incorrectData('address index above 50000 for a default policy');
  } else if (!equalConstantTime(hmac, walletPolicyHmac(ctx.seed, id))) {
    throw new AppError(SW.SIGNATURE_FAIL, 'wallet HMAC does not match');
  }
  if (!equal(walletId(policy.header), id)) throw incorrectData('wallet id does not match the policy');

  let address: string | undefined;
  try {
    const script = await walletScript(host, { header: policy.header, change: change === 1, addressIndex: index, meter: meterOf(ctx) }, policy.root);
    address = scriptAddress(script, net);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw badState('could not produce the wallet script');
  }
  if (address === undefined) throw badState('script has no address');
  if (display && !(await ctx.review(addressReview(ctx.family, address, isDefault ? undefined : policy.header.name)))) throw denied();
  return utf8.encode(address);
};
