// The two builds of the app (app-bitcoin-new Makefile, COIN=bitcoin and COIN=bitcoin_testnet):
// they differ only in these constants.

import type { AppHome } from '../../app.ts';

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
  /** Home screen (src/ui/menu_nbgl.c ui_menu_main): the testnet build titles itself "Bitcoin Testnet". */
  home: AppHome;
}

export const MAINNET: BitcoinNetwork = {
  appName: 'Bitcoin',
  coinType: 0,
  xpubVersion: 0x0488b21e,
  p2pkhVersion: 0,
  p2shVersion: 5,
  bech32Hrp: 'bc',
  ticker: 'BTC',
  // The mainnet build passes no tagline: the SDK's default for the app name is shown.
  home: { title: 'Bitcoin', tagline: 'This app enables signing\ntransactions on the Bitcoin\nnetwork.' },
};

export const TESTNET: BitcoinNetwork = {
  appName: 'Bitcoin Test',
  coinType: 1,
  xpubVersion: 0x043587cf,
  p2pkhVersion: 111,
  p2shVersion: 196,
  bech32Hrp: 'tb',
  ticker: 'TEST',
  home: { title: 'Bitcoin Testnet', tagline: 'This app enables signing\ntransactions on all the Bitcoin\ntest networks.' },
};
