// Taproot Asset chain parameters (address/params.go): bech32m HRP and the BIP-44 coin type used
// in lnd-style derivation paths. Testnet3, testnet4 and signet share `taptb`.

import { CodecError } from '../../apdu/errors.ts';

export interface TapChainParams {
  hrp: string;
  name: string;
  coinType: number;
}

export const TAP_NETWORKS: readonly TapChainParams[] = [
  { hrp: 'tapbc', name: 'mainnet', coinType: 0 },
  { hrp: 'taptb', name: 'testnet', coinType: 1 },
  { hrp: 'taprt', name: 'regtest', coinType: 1 },
  { hrp: 'tapsb', name: 'simnet', coinType: 1 },
];

export function chainParamsForHrp(hrp: string, what = 'hrp'): TapChainParams {
  const p = TAP_NETWORKS.find((n) => n.hrp === hrp);
  if (!p) throw new CodecError(`${what}: expected one of ${TAP_NETWORKS.map((n) => n.hrp).join(', ')}, got ${JSON.stringify(hrp)}`);
  return p;
}
