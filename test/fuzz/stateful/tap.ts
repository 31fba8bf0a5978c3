// Our Taproot Assets app (docs/tap-app-protocol.md) as a fuzz target: SIGN_VPSBT streams of transfers
// shaped as tapd builds them (the SIGN_VPSBT fixtures) — encoded by the host from mutated packets,
// or a lying host's with one stream field or its bytes changed, and cut into APDUs the transport
// layer drops, repeats, alters or interleaves —, group genesis assets (V0 and V1 group keys), MuSig2
// contexts with the device as one of two participants, and key requests.

import { sha256 } from '@noble/hashes/sha2.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { IndividualPubkey, keyAggExport, keyAggregate, nonceAggregate, nonceGen, sortKeys } from '@scure/btc-signer/musig2.js';
import { encodeCommand } from '../../../apdu/apdu.ts';
import { concat, utf8 } from '../../../apdu/bytes.ts';
import { parsePath } from '../../../apdu/path.ts';
import {
  commitKeyAgg,
  getAppInfo,
  getKey,
  getMasterFingerprint,
  musigRound1,
  musigRound2,
  signGroupGenesis,
  TAP_INS,
  tapCommand,
  type KeyAggContext,
} from '../../../apdu/tap-app/index.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { encodeAsset } from '../../../assets/asset/leaf.ts';
import { NonSpendLeafVersion, groupKeyTapscriptRoot, groupPubKeyV0, groupPubKeyV1 } from '../../../assets/group/group-key.ts';
import { decodeResultBatch, encodeVpsbtStream, resultsCommand, streamCommands } from '../../../apdu/tap-app/vpsbt-stream.ts';
import { decodeVPacket, encodeVPacket } from '../../../assets/vpsbt/codec.ts';
import type { VPacket } from '../../../assets/vpsbt/packet.ts';
import { decodeRawPsbt, encodeRawPsbt, type PsbtField } from '../../../assets/vpsbt/psbt-map.ts';
import { createTapApp } from '../../../emulator/apps/tap/app.ts';
import { encodeVpsbtStreamFor } from '../../../host/tap-app/vpsbt-stream.ts';
import { SPECULOS_MNEMONIC } from '../../unit/tap-app/device.ts';
import { FINGERPRINT, GENESIS, genesisAsset, transferPacket } from '../../unit/tap-app/vpsbt-fixture.ts';
import type { Rng } from '../prng.ts';
import type { FuzzSession, FuzzTarget, Scenario } from './engine.ts';
import { maybeMutateCommand, maybeMutatePath, mutateBytes, mutateMaps, mutateStructure, type Entry } from './mutate.ts';

const SEED = mnemonicToSeedSync(SPECULOS_MNEMONIC);
const master = HDKey.fromMasterSeed(SEED);

// --- SIGN_VPSBT ---

const PACKETS = [transferPacket(), transferPacket({ inputs: [1000n], recipients: 3 }), transferPacket({ inputs: [5n, 6n, 7n], recipients: 1, courier: 'authmailbox+universerpc://courier.example:10029' })];

/** The packet's raw maps with 1-3 semantic mutations, decoded and encoded again by the host (which may refuse them). */
function mutatedPacket(rng: Rng, p: VPacket): VPacket {
  const raw = decodeRawPsbt(encodeVPacket(p), 'vpsbt');
  const entries = (fields: PsbtField[]): Entry[] => fields.map((f) => [f.key, f.value] as const);
  const m = mutateMaps(rng, { global: entries(raw.global), inputs: raw.inputs.map(entries), outputs: raw.outputs.map(entries) });
  const fields = (map: Entry[]): PsbtField[] => map.map(([key, value]) => ({ key, value }));
  return decodeVPacket(encodeRawPsbt({ ...raw, global: fields(m.global), inputs: m.inputs.map(fields), outputs: m.outputs.map(fields) }));
}

/**
 * The stream's bytes: the host's own encoding of a (mutated) packet, or a lying host's: one field of
 * the encoded stream changed past the host's checks, or the stream's bytes themselves mutated.
 */
function streamBytes(rng: Rng, mutate: boolean): Uint8Array {
  const what = mutate ? rng.below(10) : -1;
  const packet = what >= 0 && what < 4 ? mutatedPacket(rng, rng.pick(PACKETS)) : rng.pick(PACKETS);
  const stream = encodeVpsbtStreamFor(packet, { fingerprint: FINGERPRINT }).stream;
  if (what >= 4 && what < 7) return encodeVpsbtStream(mutateStructure(rng, stream));
  const bytes = encodeVpsbtStream(stream);
  return what >= 7 ? mutateBytes(rng, bytes) : bytes;
}

/** START, NEXT… as the host cuts the stream, then RESULTS while the last answer announces more results. */
const vpsbtScenario: Scenario = {
  name: 'sign-vpsbt',
  build(rng, mutate) {
    const [first, ...rest] = streamCommands(streamBytes(rng, mutate));
    return {
      command: maybeMutateCommand(rng, mutate, first!),
      serve: () => {},
      next(data) {
        if (rest.length > 0) return rest.shift();
        try {
          return data.length > 0 && decodeResultBatch(data).remaining > 0 ? resultsCommand() : undefined;
        } catch {
          return undefined; // the host stops at an answer it cannot read
        }
      },
    };
  },
};

/** Signatures and partial signatures among SIGN_VPSBT's result batches; an answer the host cannot read counts as one. */
function streamSignatures(responses: readonly Uint8Array[]): number {
  let n = 0;
  for (const data of responses) {
    if (data.length === 0) continue;
    try {
      n += decodeResultBatch(data).results.filter((r) => r.kind !== 'pubnonce').length;
    } catch {
      n++;
    }
  }
  return n;
}

// --- SIGN_GROUP_GENESIS ---

const GROUP_PATH = "m/86'/1'/0'/0/0";
const groupRaw = master.derive(GROUP_PATH).publicKey!;
const id = assetId(GENESIS);

const GENESES = [
  { asset: encodeAsset(genesisAsset(groupPubKeyV1(groupRaw, NonSpendLeafVersion.opReturn, id))), keyVersion: 1 as const, tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, id) },
  { asset: encodeAsset(genesisAsset(groupPubKeyV1(groupRaw, NonSpendLeafVersion.pedersen, id))), keyVersion: 1 as const, tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.pedersen, id) },
  { asset: encodeAsset(genesisAsset(groupPubKeyV0(groupRaw, id))), keyVersion: 0 as const, tapscriptRoot: undefined },
];

const genesisScenario: Scenario = {
  name: 'sign-group-genesis',
  build(rng, mutate) {
    const g = rng.pick(GENESES);
    const asset = mutate && rng.chance(0.7) ? mutateBytes(rng, g.asset) : g.asset;
    const command = tapCommand(signGroupGenesis, {
      assetLength: asset.length,
      assetHash: sha256(asset),
      keyVersion: g.keyVersion,
      groupKeyPath: parsePath(GROUP_PATH),
      ...(g.tapscriptRoot ? { tapscriptRoot: g.tapscriptRoot } : {}),
    });
    return { command: maybeMutateCommand(rng, mutate, command), serve: (it) => it.addKnownPreimage(asset) };
  },
};

// --- MuSig2 ---

const OWN_PATH = parsePath("m/1017'/1'/212'/0/0");
const devicePk = master.derive("m/1017'/1'/212'/0/0").publicKey!;
const coSk = sha256(utf8.encode('taproot-hw tap-app test cosigner'));
const coPk = IndividualPubkey(coSk);
const participants = sortKeys([devicePk, coPk]);
const internal = keyAggExport(keyAggregate(participants));
const KEY_AGG: KeyAggContext = { participants, tweaks: [{ xOnly: true, tweak: schnorr.utils.taggedHash('TapTweak', internal) }], ownPath: OWN_PATH };
const KEY_AGG_BYTES = commitKeyAgg(KEY_AGG).preimage;
const MESSAGE = sha256(utf8.encode('message to co-sign'));

function keyAggPreimage(rng: Rng, mutate: boolean): Uint8Array {
  return mutate && rng.chance(0.5) ? mutateBytes(rng, KEY_AGG_BYTES) : KEY_AGG_BYTES;
}

const commitment = (preimage: Uint8Array) => ({ length: Math.max(1, preimage.length), hash: sha256(preimage) });

/** Round 1 fills a RAM slot; with every slot taken the app is restarted, as a person would (§4). */
async function ensureFreeSlot(session: FuzzSession): Promise<void> {
  const info = await session.runHonest({ command: tapCommand(getAppInfo, undefined), serve: () => {} });
  if (info.statusWord === 0x9000 && getAppInfo.decodeResponse(info.data).freeNonceSlots === 0) session.restartApp();
}

const round1Scenario: Scenario = {
  name: 'musig-round1',
  async build(rng, mutate, session) {
    await ensureFreeSlot(session);
    const preimage = keyAggPreimage(rng, mutate);
    const req = rng.chance(0.5) ? { keyAgg: commitment(preimage), message: MESSAGE } : { keyAgg: commitment(preimage) };
    return { command: maybeMutateCommand(rng, mutate, tapCommand(musigRound1, req)), serve: (it) => it.addKnownPreimage(preimage) };
  },
};

const round2Scenario: Scenario = {
  name: 'musig-round2',
  stateful: true,
  async build(rng, mutate, session) {
    await ensureFreeSlot(session);
    session.device.settings.blindSigning = !mutate || rng.chance(0.8);
    const bound = rng.chance(0.5);
    const r1 = await session.runHonest({
      command: tapCommand(musigRound1, bound ? { keyAgg: commitment(KEY_AGG_BYTES), message: MESSAGE } : { keyAgg: commitment(KEY_AGG_BYTES) }),
      serve: (it) => it.addKnownPreimage(KEY_AGG_BYTES),
    });
    const first = r1.statusWord === 0x9000 ? musigRound1.decodeResponse(r1.data) : undefined;
    const handle = first?.handle ?? new Uint8Array(32);
    const co = nonceGen(coPk, coSk, first?.aggregateXOnly ?? internal, MESSAGE);
    const aggnonce = first ? nonceAggregate([first.pubnonce, co.public]) : new Uint8Array(66);
    const preimage = keyAggPreimage(rng, mutate);
    const pick = mutate ? rng.below(4) : -1;
    const req = {
      handle: pick === 0 ? mutateBytes(rng, handle).subarray(0, 32) : handle,
      aggnonce: pick === 1 ? mutateBytes(rng, aggnonce).subarray(0, 66) : aggnonce,
      message: pick === 2 ? mutateBytes(rng, MESSAGE).subarray(0, 32) : MESSAGE,
      keyAgg: commitment(preimage),
    };
    const fixed = { ...req, handle: fit(req.handle, 32), aggnonce: fit(req.aggnonce, 66), message: fit(req.message, 32) };
    return { command: maybeMutateCommand(rng, mutate, tapCommand(musigRound2, fixed)), serve: (it) => it.addKnownPreimage(preimage) };
  },
};

/** A field mutated to another length is padded or cut back: the spec encodes fixed-size fields only. */
function fit(b: Uint8Array, n: number): Uint8Array {
  return b.length === n ? b : concat(b, new Uint8Array(n)).subarray(0, n);
}

// --- GET_KEY ---

const KEY_PATHS = ["m/86'/1'/0'", "m/1017'/1'/212'/0/0", "m/1017'/1'/212'/0/7", "m/44'/1'/0'/0/0", "m/86'/0'/3'"];

const keyScenario: Scenario = {
  name: 'get-key',
  build(rng, mutate) {
    const path = maybeMutatePath(rng, mutate, parsePath(rng.pick(KEY_PATHS)));
    return { command: maybeMutateCommand(rng, mutate, tapCommand(getKey, { display: rng.chance(0.5), path })), serve: () => {} };
  },
};

export const tapTarget: FuzzTarget = {
  name: 'tap',
  appName: 'Taproot Assets',
  create: createTapApp,
  probe: { command: encodeCommand(tapCommand(getMasterFingerprint, undefined)), answer: 'f5acc2fd9000' },
  scenarios: [vpsbtScenario, genesisScenario, round1Scenario, round2Scenario, keyScenario],
  signatures(command, _yields, statusWord, responses) {
    if (command.ins === TAP_INS.SIGN_VPSBT) return streamSignatures(responses);
    if (statusWord !== 0x9000) return 0;
    return command.ins === TAP_INS.MUSIG_ROUND2 || command.ins === TAP_INS.SIGN_GROUP_GENESIS ? 1 : 0;
  },
};
