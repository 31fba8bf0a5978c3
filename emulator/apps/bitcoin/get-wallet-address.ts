// GET_WALLET_ADDRESS (E1 03): the address of a registered or default wallet policy
// (get_wallet_address.c); the request and response bytes are apdu/bitcoin-app/get-wallet-address.ts.
// The policy comes from the host by its id; a zero HMAC is only accepted for default single-key
// policies, any other HMAC must match.

import { equal, equalConstantTime } from '../../../apdu/bytes.ts';
import { getWalletAddress as spec } from '../../../apdu/bitcoin-app/get-wallet-address.ts';
import { SW } from '../../../apdu/status.ts';
import { scriptAddress } from './address.ts';
import { handler } from './command.ts';
import { walletPolicyHmac } from '../../../bitcoin/wallet-policy.ts';
import { AppError, badState, denied, incorrectData } from './errors.ts';
import { meterOf } from '../common/keys.ts';
import { walletScript } from './policy/script.ts';
import { isStandardPolicy } from './policy/standard.ts';
import { MAX_SERIALIZED_POLICY, readAndParsePolicy, walletId } from './policy/wallet.ts';
import { addressReview } from './review.ts';

export const getWalletAddress = handler(spec, async ({ ctx, net, host }, { display, walletId: id, hmac, change, index }) => {
  const serialized = await host.getPreimage(id, MAX_SERIALIZED_POLICY);
  if (serialized === undefined) throw incorrectData('wallet policy preimage did not verify');
  const policy = await readAndParsePolicy(host, serialized);
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
    const script = await walletScript(host, { header: policy.header, change, addressIndex: index, meter: meterOf(ctx) }, policy.root);
    address = scriptAddress(script, net);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw badState('could not produce the wallet script');
  }
  if (address === undefined) throw badState('script has no address');
  if (display && !(await ctx.review(addressReview(ctx.family, address, isDefault ? undefined : policy.header.name)))) throw denied();
  return address;
});
