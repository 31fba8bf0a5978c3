// A software participant: a private key in this process, BIP-327 NonceGen with fresh randomness
// and Sign from @scure/btc-signer. For cosigners that are not hardware, and for tests.

import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { Session, nonceGen } from '@scure/btc-signer/musig2.js';
import type { MusigSession, MusigSigner, Round2Input, SchnorrSigner, SignerRound1 } from './signer.ts';
import { HostError } from '../errors.ts';

export class SoftwareSigner implements MusigSigner, SchnorrSigner {
  readonly publicKey: Uint8Array;
  readonly xOnlyPublicKey: Uint8Array;
  readonly #secret: Uint8Array;

  constructor(
    secretKey: Uint8Array,
    readonly name = 'software key',
  ) {
    if (secretKey.length !== 32) throw new HostError('E_MUSIG_SESSION', `software signer: expected a 32-byte secret key, got ${secretKey.length} bytes`);
    this.#secret = secretKey.slice();
    this.publicKey = secp256k1.getPublicKey(this.#secret, true);
    this.xOnlyPublicKey = this.publicKey.slice(1);
  }

  async round1(session: MusigSession): Promise<SignerRound1> {
    const nonces = nonceGen(this.publicKey, this.#secret, session.aggregateXOnly, session.message);
    let secnonce: Uint8Array | undefined = nonces.secret;
    return {
      pubnonce: nonces.public,
      round2: async ({ aggnonce }: Round2Input) => {
        if (!secnonce) throw new HostError('E_MUSIG_SESSION', `${this.name}: this nonce has already signed`);
        const s = new Session(aggnonce, [...session.participants], session.message, [...session.tweaks], [...session.isXonly]);
        const psig = s.sign(secnonce, this.#secret);
        secnonce.fill(0);
        secnonce = undefined;
        return psig;
      },
    };
  }

  async signSchnorr(message: Uint8Array): Promise<Uint8Array> {
    return schnorr.sign(message, this.#secret);
  }
}
