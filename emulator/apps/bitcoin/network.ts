// The two builds of the app (app-bitcoin-new Makefile, COIN=bitcoin and COIN=bitcoin_testnet):
// they differ only in these constants.

export interface BitcoinNetwork {
  appName: 'Bitcoin' | 'Bitcoin Test';
  /** BIP-44 coin type: 0 on mainnet, 1 on testnet. */
  coinType: number;
  /** BIP32_PUBKEY_VERSION: xpub / tpub. */
  xpubVersion: number;
  p2pkhVersion: number;
  p2shVersion: number;
  bech32Hrp: string;
  /** COIN_COINID_SHORT, the unit shown after amounts. */
  ticker: string;
}

export const MAINNET: BitcoinNetwork = {
  appName: 'Bitcoin',
  coinType: 0,
  xpubVersion: 0x0488b21e,
  p2pkhVersion: 0,
  p2shVersion: 5,
  bech32Hrp: 'bc',
  ticker: 'BTC',
};

export const TESTNET: BitcoinNetwork = {
  appName: 'Bitcoin Test',
  coinType: 1,
  xpubVersion: 0x043587cf,
  p2pkhVersion: 111,
  p2shVersion: 196,
  bech32Hrp: 'tb',
  ticker: 'TEST',
};
