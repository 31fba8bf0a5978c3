// HPKE (RFC 9180) as the coordinator and its parties use it (docs/coordinator.md §2): the suite is
// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, always in auth mode (RFC 9180 §5.1.3) so a
// recipient knows which key sealed a message, and in auth-PSK mode (§5.1.4) where the invite's
// secret must also be known. @hpke/core implements the construction; this module only chooses the
// suite, the info and the associated data.
//
// Party to party, the associated data is the message's whole address — session, sender, recipient,
// step, sequence — so a coordinator that replays, reorders, redirects or splices a ciphertext makes
// it fail to open. Party to coordinator, the request's route is bound, and a reply is bound to the
// request it answers.

import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, toHex, utf8 } from '../apdu/bytes.ts';
import { CoordinatorLayerError } from './errors.ts';

/** RFC 9180 suite 0x0020 / 0x0001 / 0x0001 (test/coordinator/envelope.test.ts opens the RFC's vector with it). */
export const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
const ENC_LENGTH = 32;
const PROTOCOL = 'taproot-hw/cosign/v1';

export interface HpkeKeyPair {
  /** X25519 secret key, 32 bytes. */
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function hpkeKeyPair(secretKey: Uint8Array = x25519.utils.randomSecretKey()): HpkeKeyPair {
  if (secretKey.length !== 32) throw new CoordinatorLayerError('E_ENVELOPE', `HPKE secret key: expected 32 bytes, got ${secretKey.length}`);
  return { secretKey: secretKey.slice(), publicKey: x25519.getPublicKey(secretKey) };
}

async function cryptoKeyPair(keys: HpkeKeyPair): Promise<CryptoKeyPair> {
  return { privateKey: await suite.kem.deserializePrivateKey(keys.secretKey), publicKey: await suite.kem.deserializePublicKey(keys.publicKey) };
}

interface SealArgs {
  sender: HpkeKeyPair;
  recipient: Uint8Array;
  info: Uint8Array;
  aad: Uint8Array;
  psk?: { id: Uint8Array; key: Uint8Array } | undefined;
}

async function seal({ sender, recipient, info, aad, psk }: SealArgs, plaintext: Uint8Array): Promise<Uint8Array> {
  const sealed = await suite.seal(
    { recipientPublicKey: await suite.kem.deserializePublicKey(recipient), senderKey: await cryptoKeyPair(sender), info, ...(psk ? { psk } : {}) },
    plaintext,
    aad,
  );
  return concat(new Uint8Array(sealed.enc), new Uint8Array(sealed.ct));
}

interface OpenArgs {
  recipient: HpkeKeyPair;
  sender: Uint8Array;
  info: Uint8Array;
  aad: Uint8Array;
  psk?: { id: Uint8Array; key: Uint8Array } | undefined;
}

async function open({ recipient, sender, info, aad, psk }: OpenArgs, data: Uint8Array, what: string): Promise<Uint8Array> {
  if (data.length < ENC_LENGTH + 16) throw new CoordinatorLayerError('E_ENVELOPE', `${what}: expected at least ${ENC_LENGTH + 16} bytes, got ${data.length}`);
  try {
    const pt = await suite.open(
      {
        recipientKey: await suite.kem.deserializePrivateKey(recipient.secretKey),
        senderPublicKey: await suite.kem.deserializePublicKey(sender),
        enc: data.slice(0, ENC_LENGTH),
        info,
        ...(psk ? { psk } : {}),
      },
      data.slice(ENC_LENGTH),
      aad,
    );
    return new Uint8Array(pt);
  } catch {
    throw new CoordinatorLayerError('E_ENVELOPE', `${what}: does not open (altered, replayed, misaddressed, or not sealed by the expected key)`);
  }
}

/** Where a party-to-party message belongs; all of it is bound as associated data. */
export interface MessageAddress {
  readonly session: string;
  readonly from: number;
  readonly to: number;
  readonly step: string;
  readonly seq: number;
}

const messageInfo = (session: string) => utf8.encode(`${PROTOCOL} message ${session}`);
const messageAad = (a: MessageAddress) => utf8.encode(JSON.stringify([PROTOCOL, a.session, a.from, a.to, a.step, a.seq]));
const describe = (a: MessageAddress) => `message ${a.step}#${a.seq} from party ${a.from} to party ${a.to}`;

/** An invite's secret, known to the initiator and one invitee only: the PSK of their first messages. */
export interface InvitePsk {
  readonly party: number;
  readonly secret: Uint8Array;
}

const pskOf = (p: InvitePsk | undefined) => (p ? { id: utf8.encode(`${PROTOCOL} invite ${p.party}`), key: p.secret } : undefined);

export function sealMessage(address: MessageAddress, plaintext: Uint8Array, sender: HpkeKeyPair, recipient: Uint8Array, invite?: InvitePsk): Promise<Uint8Array> {
  return seal({ sender, recipient, info: messageInfo(address.session), aad: messageAad(address), psk: pskOf(invite) }, plaintext);
}

export function openMessage(address: MessageAddress, data: Uint8Array, recipient: HpkeKeyPair, sender: Uint8Array, invite?: InvitePsk): Promise<Uint8Array> {
  return open({ recipient, sender, info: messageInfo(address.session), aad: messageAad(address), psk: pskOf(invite) }, data, describe(address));
}

const controlInfo = utf8.encode(`${PROTOCOL} control`);

/** Seals a request body to the coordinator's key for `route`. */
export async function sealRequest(route: string, body: unknown, party: HpkeKeyPair, coordinator: Uint8Array): Promise<Uint8Array> {
  return seal({ sender: party, recipient: coordinator, info: controlInfo, aad: utf8.encode(`${route} request`) }, utf8.encode(JSON.stringify(body)));
}

export async function openRequest(route: string, data: Uint8Array, coordinator: HpkeKeyPair, party: Uint8Array): Promise<unknown> {
  return JSON.parse(utf8.decode(await open({ recipient: coordinator, sender: party, info: controlInfo, aad: utf8.encode(`${route} request`) }, data, `${route} request`)));
}

/** A reply names the request it answers (its hash), so an old reply cannot be passed off as new. */
const replyAad = (route: string, request: Uint8Array) => utf8.encode(`${route} reply ${toHex(sha256(request))}`);

export function sealReply(route: string, request: Uint8Array, body: unknown, coordinator: HpkeKeyPair, party: Uint8Array): Promise<Uint8Array> {
  return seal({ sender: coordinator, recipient: party, info: controlInfo, aad: replyAad(route, request) }, utf8.encode(JSON.stringify(body)));
}

export async function openReply(route: string, request: Uint8Array, data: Uint8Array, party: HpkeKeyPair, coordinator: Uint8Array): Promise<unknown> {
  return JSON.parse(utf8.decode(await open({ recipient: party, sender: coordinator, info: controlInfo, aad: replyAad(route, request) }, data, `${route} reply from the coordinator`)));
}
