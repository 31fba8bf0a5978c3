// The Taproot Assets app protocol (docs/tap-app-protocol.md), one suite for every backend that runs
// the app: our emulator in-process (Nano S Plus and Flex), over its Speculos TCP port and over its
// REST API. Reviews are walked on screen by backend.approve()/reject(), as a person would; every
// key is checked against an independent BIP-32 derivation and every signature with @noble/curves
// over a sighash computed here from assets/.

import { schnorr } from '@noble/curves/secp256k1.js';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { Session, keyAggExport, keyAggregate, nonceAggregate, nonceGen, sortKeys } from '@scure/btc-signer/musig2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../apdu/bytes.ts';
import { parsePath } from '../../apdu/path.ts';
import type { KeyAggContext } from '../../apdu/tap-app/index.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import type { Asset } from '../../assets/asset/leaf.ts';
import { ZERO_PREV_ID } from '../../assets/asset/prev-id.ts';
import { NonSpendLeafVersion, groupKeyTapscriptRoot, groupPubKeyV1 } from '../../assets/group/group-key.ts';
import { VOutputType } from '../../assets/vpsbt/packet.ts';
import { verifyStateTransition } from '../../assets/vtx/verify.ts';
import { genesisPrevOut, inputPrevOut, virtualTx, virtualTxSighash } from '../../assets/vtx/virtual-tx.ts';
import { SPECULOS_DEFAULT_MNEMONIC } from '../../emulator/index.ts';
import { backendsFromEnv, type Backend } from '../../harness/index.ts';
import { SoftwareSigner, TapAppMusigSigner, runMusigSession } from '../../host/musig2/index.ts';
import { TAP_APP_NAME, TapAppClient, vpsbtInputSighash } from '../../host/tap-app/index.ts';
import { SEEDS, inputAsset, softwareKey } from '../e2e/helpers.ts';
import { transferPacket } from '../unit/tap-app/vpsbt-fixture.ts';
import { streamedTransfer } from '../unit/tap-v2/transfers.ts';

const RNG = 42;
const master = HDKey.fromMasterSeed(mnemonicToSeedSync(SPECULOS_DEFAULT_MNEMONIC));
const TESTNET = { private: 0x04358394, public: 0x043587cf };
const SCRIPT_PATH = "m/1017'/1'/212'/0/3";
const NON_STANDARD = "m/1017'/1'/6'/0/0";
const GROUP_PATH = "m/86'/1'/0'/0/7";

/** The xpub @scure/bip32 derives for `path` (testnet versions: every path here has coin type 1'). */
const independentXpub = (path: string) => HDKey.fromMasterSeed(mnemonicToSeedSync(SPECULOS_DEFAULT_MNEMONIC), TESTNET).derive(path).publicExtendedKey;

const NO_FIRMWARE = 'this backend runs no Taproot Assets app (real Speculos runs it with SPECULOS_TAP_APP_ELF, docs/firmware.md)';

for (const candidate of backendsFromEnv()) {
  const runsApp = candidate.apps.includes('tap');
  const reason = !runsApp ? NO_FIRMWARE : candidate.available ? undefined : candidate.reason;
  if (reason) console.log(`conformance: skipping the Taproot Assets app on ${candidate.label}: ${reason}`);

  describe.skipIf(reason !== undefined)(`Taproot Assets app conformance on ${candidate.label}${reason ? ` (skipped: ${reason})` : ''}`, () => {
    let backend: Backend;
    let client: TapAppClient;

    beforeAll(async () => {
      // Blind signing on: MUSIG_ROUND2 over a host-given message needs it (§5.4 step 3).
      backend = await candidate.create({ app: 'tap', deterministicRng: RNG, settings: { blindSigning: true } });
      client = new TapAppClient(backend.transport);
    });
    afterAll(async () => {
      await backend?.close();
    });

    async function approved<T>(call: Promise<T>): Promise<T> {
      const [result] = await Promise.all([call, backend.approve({ timeoutMs: 20_000 })]);
      return result;
    }

    it('app name, GET_APP_INFO and GET_MASTER_FINGERPRINT', async () => {
      expect((await client.assertTapApp()).name).toBe(TAP_APP_NAME);
      expect(await client.getAppInfo()).toEqual({ protocolVersion: 2, blindSigning: true, nonceSlots: 4, freeNonceSlots: 4 });
      expect(toHex(await client.getMasterFingerprint())).toBe(master.fingerprint.toString(16).padStart(8, '0'));
    });

    it.each(["m/86'/1'/0'", "m/86'/1'/0'/0/7", SCRIPT_PATH])('GET_KEY %s (standard) without review', async (path) => {
      const key = await client.getKey(path);
      expect(key.xpub).toBe(independentXpub(path));
      expect(toHex(key.pubkey)).toBe(toHex(master.derive(path).publicKey!));
      expect(toHex(key.fingerprint)).toBe('f5acc2fd');
    });

    it('GET_KEY on a non-standard path: 6a82 without display, the key after approval on screen, 6985 after rejection', async () => {
      await expect(client.getKey(NON_STANDARD)).rejects.toMatchObject({ statusCode: 0x6a82 });
      expect((await approved(client.getKey(NON_STANDARD, { display: true }))).xpub).toBe(independentXpub(NON_STANDARD));
      const refused = expect(client.getKey(NON_STANDARD, { display: true })).rejects.toMatchObject({ name: 'UserRefusedError', statusCode: 0x6985 });
      await backend.reject({ timeoutMs: 20_000 });
      await refused;
    });

    it('MuSig2 2-of-2 with a software cosigner: the aggregate signature verifies (BIP-340)', async () => {
      const device = await TapAppMusigSigner.open(client, SCRIPT_PATH, { name: 'device' });
      const soft = new SoftwareSigner(softwareKey(SEEDS.abandon, SCRIPT_PATH).privateKey!, 'cosigner');
      const participants = sortKeys([device.publicKey, soft.publicKey]);
      const message = schnorr.utils.taggedHash('taproot-hw/conformance', new TextEncoder().encode(candidate.label));
      const r = await approved(runMusigSession({ participants, tweaks: [], isXonly: [] }, message, [soft, device]));
      expect(toHex(r.session.aggregateXOnly)).toBe(toHex(keyAggExport(keyAggregate(participants))));
      expect(schnorr.verify(r.signature, message, r.session.aggregateXOnly)).toBe(true);
    });

    it('a nonce handle signs once: round 2 replayed on it is B010', async () => {
      const devicePk = master.derive(SCRIPT_PATH).publicKey!;
      const cosigner = softwareKey(SEEDS.abandon, SCRIPT_PATH);
      const participants = sortKeys([devicePk, cosigner.publicKey!]);
      const ctx: KeyAggContext = { participants, tweaks: [], ownPath: parsePath(SCRIPT_PATH) };
      const message = schnorr.utils.taggedHash('taproot-hw/replay', new TextEncoder().encode(candidate.label));
      const r1 = await client.musigRound1(ctx, { message });
      const aggregate = keyAggExport(keyAggregate(participants));
      expect(toHex(r1.aggregateXOnly)).toBe(toHex(aggregate));
      const theirs = nonceGen(cosigner.publicKey!, cosigner.privateKey!, aggregate, message);
      const aggnonce = nonceAggregate([r1.pubnonce, theirs.public]);
      const psig = await approved(client.musigRound2(r1.handle, aggnonce, message, ctx));
      const session = new Session(aggnonce, participants, message);
      expect(session.partialSigVerify(psig, [r1.pubnonce, theirs.public], participants.findIndex((p) => toHex(p) === toHex(devicePk)))).toBe(true);
      await expect(client.musigRound2(r1.handle, aggnonce, message, ctx)).rejects.toMatchObject({ name: 'NonceSessionUnknownError', statusCode: 0xb010 });
    });

    it('SIGN_VPSBT approved on screen: one BIP-340 signature per input over the virtual-tx sighash', async () => {
      const packet = transferPacket({ inputs: [600n, 400n], recipients: 1 });
      const yields = await approved(client.signVpsbt(packet));
      expect(yields.map((y) => y.inputIndex)).toEqual([0, 1]);
      const root = packet.outputs.find((o) => o.type === VOutputType.splitRoot)!.asset!;
      const inputs = packet.inputs.map((vin) => ({ prevId: vin.prevId, asset: vin.asset! }));
      const vtx = virtualTx(root, inputs);
      for (const y of yields) {
        if (y.type !== 'partialSignature') throw new Error(`expected a signature, got ${y.type}`);
        const vin = packet.inputs[y.inputIndex]!;
        const scriptKey = vin.asset!.scriptKey.subarray(1);
        expect(toHex(y.pubkey)).toBe(toHex(scriptKey));
        expect(schnorr.verify(y.signature, virtualTxSighash(vtx, root, y.inputIndex, inputPrevOut(vin.asset!)), scriptKey)).toBe(true);
      }
    });

    it('SIGN_VPSBT of a declared burn: the warning page is passed on screen like the review, then every input signs', async () => {
      const packet = streamedTransfer(1, { burn: true });
      const yields = await approved(client.signVpsbt(packet));
      expect(yields.map((y) => y.inputIndex)).toEqual([0, 1]);
      for (const y of yields) {
        if (y.type !== 'partialSignature') throw new Error(`expected a signature, got ${y.type}`);
        expect(schnorr.verify(y.signature, vpsbtInputSighash(packet, y.inputIndex), packet.inputs[y.inputIndex]!.prevId.scriptKey.subarray(1))).toBe(true);
      }
    });

    // The device's own refusal of the same packet (6A80, streamed by a lying host) is test/unit/tap-app/review-binding.test.ts's.
    it('SIGN_VPSBT: a 0x7f address that does not re-derive from its output is refused by the client before anything is sent, naming the field', async () => {
      const packet = transferPacket({ inputs: [600n, 400n], recipients: 1 });
      const o = packet.outputs[1]!;
      o.address = {
        version: 1,
        assetVersion: 0,
        assetId: assetId(o.asset!.genesis),
        scriptKey: master.derive(SCRIPT_PATH).publicKey!,
        internalKey: master.derive(SCRIPT_PATH).publicKey!,
        amount: o.asset!.amount,
        proofCourierAddr: 'authmailbox+universerpc://courier.example:10029',
        unknownOddTypes: [],
      };
      await expect(client.signVpsbt(packet)).rejects.toMatchObject({ code: 'E_ASSET_VERIFY', message: expect.stringContaining('outputs[1].address') });
      // Nothing is left in progress on the device: the next command is answered at once.
      expect((await client.getAppInfo()).protocolVersion).toBe(2);
    });

    it('SIGN_GROUP_GENESIS: a V1 group key with a custom subtree (a leaf no review shows) is refused (6A80)', async () => {
      const raw = master.derive(GROUP_PATH).publicKey!;
      const base = inputAsset(raw, 21_000n, 'conformance-hidden-leaf').asset;
      const id = assetId(base.genesis);
      const hidden = groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, id);
      const asset: Asset = { ...base, groupKey: groupPubKeyV1(raw, NonSpendLeafVersion.opReturn, id, hidden), prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }] };
      const tapscriptRoot = groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, id, hidden);
      await expect(client.signGroupGenesis({ asset, keyVersion: 1, groupKeyPath: GROUP_PATH, tapscriptRoot })).rejects.toMatchObject({ name: 'IncorrectDataError' });
    });

    it('SIGN_GROUP_GENESIS approved on screen: the group witness verifies', async () => {
      const raw = master.derive(GROUP_PATH).publicKey!;
      const base = inputAsset(raw, 21_000n, 'conformance-grouped').asset;
      const id = assetId(base.genesis);
      const groupKey = groupPubKeyV1(raw, NonSpendLeafVersion.opReturn, id);
      const asset: Asset = { ...base, groupKey, prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }] };
      const tapscriptRoot = groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, id);
      const r = await approved(client.signGroupGenesis({ asset, keyVersion: 1, groupKeyPath: GROUP_PATH, tapscriptRoot }));
      expect(toHex(r.tweakedGroupKey)).toBe(toHex(groupKey.subarray(1)));
      expect(schnorr.verify(r.signature, virtualTxSighash(virtualTx(asset, []), asset, 0, genesisPrevOut(asset)), r.tweakedGroupKey)).toBe(true);
      asset.prevWitnesses[0]!.txWitness = [r.signature];
      verifyStateTransition(asset, [], []);
    });
  });
}
