// What a party needs from its signer, for every signer the MuSig2 orchestrator supports: its key
// info `[fingerprint/path]xpub`, registration of the session's BIP-388 policy, and a MuSig2 signer
// for one input of a PSBT. The Ledger Bitcoin app registers the policy on the device (the person
// approves it) and signs through its SIGN_PSBT rounds; our Taproot Assets app and software keys
// have no policy registration, so the host derives the id and the address itself (hmac null), and
// they sign the BIP-341 sighash the host computed (the Taproot Assets app calls that blind signing).

import { HDKey } from '@scure/bip32';
import { toHex } from '../../apdu/bytes.ts';
import { formatPath, parsePath } from '../../apdu/path.ts';
import { walletPolicyId, type WalletPolicy } from '../../bitcoin/wallet-policy.ts';
import { BitcoinAppClient, deriveWalletAddress } from '../../host/bitcoin-app/index.ts';
import { BitcoinAppMusigSigner, SoftwareSigner, TapAppMusigSigner, type MusigSigner } from '../../host/musig2/index.ts';
import type { TapAppClient } from '../../host/tap-app/client.ts';
import type { FrostKeyPackage } from '../../apdu/tap-app/frost-data.ts';
import { DeviceFrostParticipant, DeviceFrostSigner, SoftwareFrostParticipant, SoftwareFrostSigner, type FrostDkgParticipant, type FrostSigner } from '../../host/frost/index.ts';

export interface Registration {
  id: Uint8Array;
  /** The device's registration HMAC; null where the signer keeps no registration. */
  hmac: Uint8Array | null;
  address: string;
}

export interface MusigInput {
  psbt: Uint8Array;
  policy: WalletPolicy;
  hmac: Uint8Array | null;
  inputIndex: number;
  /** The participant key this party signs for (its account xpub's key), and its path. */
  publicKey: Uint8Array;
  path: string;
}

export interface Cosigner {
  readonly name: string;
  keyInfo(path: string): Promise<string>;
  register(policy: WalletPolicy): Promise<Registration>;
  musigSigner(input: MusigInput): Promise<MusigSigner>;
  /** FROST sessions (docs/frost.md): absent where the signer cannot take part in a FROST DKG. */
  readonly frost?: FrostCosigner;
}

export interface FrostCosigner {
  participant(): FrostDkgParticipant;
  /** The signer of participant `index` from what its DKG returned as `share`. */
  signer(index: number, keyPackage: FrostKeyPackage, share: Uint8Array): FrostSigner;
}

function origin(fingerprint: Uint8Array, path: string): string {
  const steps = formatPath(parsePath(path), { prefix: false });
  return `[${toHex(fingerprint)}${steps ? `/${steps}` : ''}]`;
}

/** Host-side registration: the id of BIP-388 and the first receive address, derived here. */
function localRegistration(policy: WalletPolicy): Registration {
  return { id: walletPolicyId(policy), hmac: null, address: deriveWalletAddress(policy, false, 0) };
}

export class BitcoinAppCosigner implements Cosigner {
  constructor(
    readonly client: BitcoinAppClient,
    readonly name = 'device (Bitcoin app)',
  ) {}

  async keyInfo(path: string): Promise<string> {
    return `${origin(await this.client.getMasterFingerprint(), path)}${await this.client.getExtendedPubkey(path)}`;
  }

  async register(policy: WalletPolicy): Promise<Registration> {
    return this.client.registerWallet(policy);
  }

  async musigSigner(i: MusigInput): Promise<MusigSigner> {
    return new BitcoinAppMusigSigner(this.client, i.publicKey, { psbt: i.psbt, policy: i.policy, hmac: i.hmac, inputIndex: i.inputIndex }, this.name);
  }
}

export class TapAppCosigner implements Cosigner {
  constructor(
    readonly client: TapAppClient,
    readonly name = 'device (Taproot Assets app)',
  ) {}

  readonly frost: FrostCosigner = {
    participant: () => new DeviceFrostParticipant(this.client, this.name),
    signer: (index, keyPackage, wrappedShare) => new DeviceFrostSigner(this.client, this.name, { index, wrappedShare, keyPackage }),
  };

  async keyInfo(path: string): Promise<string> {
    const key = await this.client.getKey(path);
    return `${origin(key.fingerprint, path)}${key.xpub}`;
  }

  async register(policy: WalletPolicy): Promise<Registration> {
    return localRegistration(policy);
  }

  async musigSigner(i: MusigInput): Promise<MusigSigner> {
    return TapAppMusigSigner.open(this.client, i.path, { name: this.name });
  }
}

/** BIP-32 version bytes of testnet keys (tpub/tprv), as the Bitcoin app's test builds use. */
const TESTNET_VERSIONS = { private: 0x04358394, public: 0x043587cf };

export class SoftwareCosigner implements Cosigner {
  readonly #root: HDKey;

  constructor(
    seed: Uint8Array,
    readonly name = 'software key',
    versions: { private: number; public: number } = TESTNET_VERSIONS,
  ) {
    this.#root = HDKey.fromMasterSeed(seed, versions);
  }

  async keyInfo(path: string): Promise<string> {
    const fp = new Uint8Array(4);
    new DataView(fp.buffer).setUint32(0, this.#root.fingerprint);
    return `${origin(fp, path)}${this.#root.derive(formatPath(parsePath(path))).publicExtendedKey}`;
  }

  async register(policy: WalletPolicy): Promise<Registration> {
    return localRegistration(policy);
  }

  readonly frost: FrostCosigner = {
    participant: () => new SoftwareFrostParticipant(this.name),
    signer: (index, _keyPackage, share) => SoftwareFrostSigner.fromShare(this.name, index, share),
  };

  async musigSigner(i: MusigInput): Promise<MusigSigner> {
    // musig(@0,…)/** aggregates the account keys and then derives: the account key signs.
    return new SoftwareSigner(this.#root.derive(formatPath(parsePath(i.path))).privateKey!, this.name);
  }
}
