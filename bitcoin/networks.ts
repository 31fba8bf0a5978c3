// Network parameters: address encodings (BIP-173/350 HRP, base58 prefixes), WIF, and the BIP-32
// version bytes of extended keys. Shaped as @scure/btc-signer's BTC_NETWORK plus the BIP-32 versions,
// so a Network can be passed straight to btc-signer's payment and address helpers.

export interface Network {
  readonly name: NetworkName;
  readonly bech32: string;
  readonly pubKeyHash: number;
  readonly scriptHash: number;
  readonly wif: number;
  /** BIP-32 version bytes: xpub/xprv on mainnet, tpub/tprv on the test networks. */
  readonly bip32: { readonly public: number; readonly private: number };
  /** SLIP-44 coin type used in standard paths (0' mainnet, 1' everything else). */
  readonly coinType: number;
}

export type NetworkName = 'mainnet' | 'testnet' | 'regtest' | 'signet';

const TEST_BIP32 = { public: 0x043587cf, private: 0x04358394 } as const;

export const NETWORKS: Readonly<Record<NetworkName, Network>> = {
  mainnet: {
    name: 'mainnet',
    bech32: 'bc',
    pubKeyHash: 0x00,
    scriptHash: 0x05,
    wif: 0x80,
    bip32: { public: 0x0488b21e, private: 0x0488ade4 },
    coinType: 0,
  },
  testnet: { name: 'testnet', bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef, bip32: TEST_BIP32, coinType: 1 },
  regtest: { name: 'regtest', bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef, bip32: TEST_BIP32, coinType: 1 },
  signet: { name: 'signet', bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef, bip32: TEST_BIP32, coinType: 1 },
};

export function getNetwork(name: NetworkName | Network): Network {
  if (typeof name !== 'string') return name;
  const net = NETWORKS[name];
  if (!net) throw new RangeError(`network: expected one of ${Object.keys(NETWORKS).join(', ')}, got "${String(name)}"`);
  return net;
}
