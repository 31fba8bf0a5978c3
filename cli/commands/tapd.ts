// `taproot-hw tapd group-key ...` and `taproot-hw tapd sign-group-psbt ...`: minting a grouped asset
// with tapd while the group key stays on the device (host/tapd, docs/taproot-assets.md §5).
//   group-key        the depth-3 xpub and fingerprint for `tapcli assets mint --group_key_*`
//   sign-group-psbt  signs tapd's group_virtual_psbt for `tapcli assets mint seal --signed_group_psbt`
// Text output puts the result alone on stdout (the signed PSBT, or the tapcli flags) and the
// details on stderr, so `$(taproot-hw tapd sign-group-psbt ...)` captures just the PSBT.

import { readFileSync } from 'node:fs';
import { base64 } from '@scure/base';
import { fromHex, toHex } from '../../apdu/bytes.ts';
import { formatPath } from '../../apdu/path.ts';
import { decodeAsset } from '../../assets/asset/leaf.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import type { NetworkName } from '../../bitcoin/networks.ts';
import type { Transport } from '../../devices/transport.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { readPsbtArgument } from '../psbt-args.ts';
import { TapAppClient } from '../../host/tap-app/client.ts';
import { TAP_APP_NAME } from '../../host/tap-app/client.ts';
import { parseFundResponse, type UnsealedGroupAsset } from '../../host/tapd/fund-response.ts';
import { readGroupKeyWithBitcoinApp, readGroupKeyWithTapApp, tapcliGroupKeyFlags } from '../../host/tapd/group-key.ts';
import { parseGroupVirtualPsbt, type GroupVirtualPsbt } from '../../host/tapd/group-psbt.ts';
import { defaultPolicyStorePath, FilePolicyHmacStore } from '../policy-store-file.ts';
import { signGroupPsbtWithBitcoinApp, signGroupPsbtWithTapApp, type GroupSignature } from '../../host/tapd/sign.ts';
import { intOption, noPositionals, parseArgs } from '../args.ts';
import { CliError, type Command, type CommandContext } from '../command.ts';
import { withCliTransport } from '../transport.ts';
import { HostError } from '../../host/errors.ts';

const GROUP_KEY_USAGE = 'tapd group-key --network mainnet|testnet|regtest|signet [--account A] [--index I] [--app bitcoin|tap]';
const SIGN_USAGE =
  'tapd sign-group-psbt (PSBT | --fund-response FILE) [--asset HEX] [--anchor-asset-id HEX] [--custom-root HEX] [--network N] [--app bitcoin|tap] [--store FILE] [--subtree TEMPLATE --subtree-key KEYINFO...]';
const USAGE = `${GROUP_KEY_USAGE}\n       taproot-hw ${SIGN_USAGE}`;

const NETWORKS: readonly NetworkName[] = ['mainnet', 'testnet', 'regtest', 'signet'];
type AppChoice = 'bitcoin' | 'tap';

function appOption(value: string | undefined): AppChoice | undefined {
  if (value === undefined) return undefined;
  if (value !== 'bitcoin' && value !== 'tap') throw new CliError(`--app: expected bitcoin or tap, got "${value}"`);
  return value;
}

/** The app the in-process emulator starts for this command unless --app (global) says otherwise. */
function emulatorApp(app: AppChoice | undefined, mainnet: boolean): string {
  return app === 'tap' ? 'tap' : mainnet ? 'bitcoin' : 'bitcoin-test';
}

/** --app, or the app the device has open (B0 01). */
async function whichApp(transport: Transport, app: AppChoice | undefined): Promise<AppChoice> {
  if (app) return app;
  return (await new BitcoinAppClient(transport).getAppAndVersion()).name === TAP_APP_NAME ? 'tap' : 'bitcoin';
}

async function groupKey(ctx: CommandContext): Promise<void> {
  const args = parseArgs(ctx.argv.slice(1), { network: 'value', account: 'value', index: 'value', app: 'value' }, GROUP_KEY_USAGE);
  noPositionals(args, GROUP_KEY_USAGE);
  const network = args.values.get('network') as NetworkName | undefined;
  if (!network || !NETWORKS.includes(network)) throw new CliError(`--network: expected one of ${NETWORKS.join(', ')}; usage: ${GROUP_KEY_USAGE}`);
  const req = { network, account: intOption(args, 'account', 0, 0, 0x7fffffff), index: intOption(args, 'index', 0, 0, 0x7fffffff) };
  const requested = appOption(args.values.get('app'));
  await withCliTransport(ctx, async (transport) => {
    const app = await whichApp(transport, requested);
    const key = app === 'tap' ? await readGroupKeyWithTapApp(new TapAppClient(transport), req) : await readGroupKeyWithBitcoinApp(new BitcoinAppClient(transport), req);
    const flags = tapcliGroupKeyFlags(key);
    if (ctx.global.json) {
      ctx.stdout(JSON.stringify({ ...key, app, tapcliFlags: flags }));
      return;
    }
    ctx.stderr(`master fingerprint  ${key.fingerprint}`);
    ctx.stderr(`account xpub        ${key.accountPath}  ${key.xpub}`);
    ctx.stderr(`group internal key  ${key.derivationPath}  ${key.internalKey}  (checked against the device)`);
    ctx.stdout(flags.join(' \\\n'));
  }, emulatorApp(requested, network === 'mainnet'));
}

interface Job {
  name: string | undefined;
  group: GroupVirtualPsbt;
}

function jobs(args: ReturnType<typeof parseArgs>): Job[] {
  const hex = (name: string, length?: number): Uint8Array | undefined => {
    const v = args.values.get(name);
    if (v === undefined) return undefined;
    if (!/^([0-9a-fA-F]{2})+$/.test(v) || (length !== undefined && v.length !== 2 * length))
      throw new CliError(`--${name}: expected ${length ? `${length} bytes of ` : ''}hex, got "${v.slice(0, 20)}"`);
    return fromHex(v);
  };
  const fundFile = args.values.get('fund-response');
  if (fundFile !== undefined) {
    if (args.positionals.length || args.values.has('asset')) throw new CliError(`give either a PSBT or --fund-response, not both; usage: ${SIGN_USAGE}`);
    const text = fundFile === '-' ? readFileSync(0, 'utf8') : readFileSync(fundFile, 'utf8');
    return parseFundResponse(text).map((u: UnsealedGroupAsset) => ({
      name: u.name,
      group: parseGroupVirtualPsbt(u.groupVirtualPsbt, {
        asset: u.asset,
        ...(u.anchorAssetId ? { anchorAssetId: u.anchorAssetId } : {}),
        ...((hex('custom-root', 32) ?? u.customSubtreeRoot) ? { customSubtreeRoot: (hex('custom-root', 32) ?? u.customSubtreeRoot)! } : {}),
      }),
    }));
  }
  if (args.positionals.length !== 1) throw new CliError(`expected one PSBT (base64, hex or a file) or --fund-response FILE; usage: ${SIGN_USAGE}`);
  const asset = hex('asset');
  const anchor = hex('anchor-asset-id', 32);
  const custom = hex('custom-root', 32);
  const decoded = asset ? decodeAsset(asset, '--asset') : undefined;
  return [
    {
      name: decoded?.genesis.tag,
      group: parseGroupVirtualPsbt(readPsbtArgument(args.positionals[0]!), {
        ...(decoded ? { asset: decoded } : {}),
        ...(anchor ? { anchorAssetId: anchor } : {}),
        ...(custom ? { customSubtreeRoot: custom } : {}),
      }),
    },
  ];
}

function resultJson(job: Job, r: GroupSignature): Record<string, unknown> {
  const g = job.group;
  return {
    ...(job.name !== undefined ? { name: job.name } : {}),
    ...(g.asset ? { assetId: toHex(assetId(g.asset.genesis)), amount: String(g.asset.amount) } : {}),
    app: r.app,
    groupKey: toHex(g.groupKey),
    groupKeyVersion: g.shape.version,
    derivationPath: formatPath(g.derivation.path),
    signature: toHex(r.signature),
    ...(r.policy
      ? { policy: { name: r.policy.name, template: r.policy.descriptorTemplate, keys: r.policy.keys, id: toHex(r.policy.id), hmac: r.policy.hmac ? toHex(r.policy.hmac) : null, registered: r.policy.registered } }
      : {}),
    signedGroupPsbt: base64.encode(r.signedPsbt),
  };
}

async function signGroupPsbt(ctx: CommandContext): Promise<void> {
  const args = parseArgs(
    ctx.argv.slice(1),
    { 'fund-response': 'value', asset: 'value', 'anchor-asset-id': 'value', 'custom-root': 'value', network: 'value', app: 'value', store: 'value', subtree: 'value', 'subtree-key': 'list' },
    SIGN_USAGE,
  );
  const requested = appOption(args.values.get('app'));
  const network = args.values.get('network') as NetworkName | undefined;
  if (network !== undefined && !NETWORKS.includes(network)) throw new CliError(`--network: expected one of ${NETWORKS.join(', ')}`);
  const subtreeTemplate = args.values.get('subtree');
  const subtreeKeys = args.lists.get('subtree-key') ?? [];
  if ((subtreeTemplate === undefined) !== (subtreeKeys.length === 0)) throw new CliError('--subtree and --subtree-key go together');
  const todo = jobs(args);
  const mainnet = todo[0]!.group.network === 'mainnet';
  for (const j of todo) {
    if (network !== undefined && (network === 'mainnet') !== (j.group.network === 'mainnet'))
      throw new HostError('E_WRONG_NETWORK', `--network ${network}, but the group key's path ${formatPath(j.group.derivation.path)} is for ${j.group.network === 'mainnet' ? 'mainnet' : 'a test network'}`);
    if ((j.group.network === 'mainnet') !== mainnet) throw new HostError('E_WRONG_NETWORK', 'the fund response mixes mainnet and test-network group keys');
  }
  const store = new FilePolicyHmacStore(args.values.get('store') ?? defaultPolicyStorePath());
  await withCliTransport(ctx, async (transport) => {
    const app = await whichApp(transport, requested);
    const results: Record<string, unknown>[] = [];
    for (const job of todo) {
      const r =
        app === 'tap'
          ? await signGroupPsbtWithTapApp(new TapAppClient(transport), job.group)
          : await signGroupPsbtWithBitcoinApp(new BitcoinAppClient(transport), job.group, {
              store,
              ...(subtreeTemplate !== undefined ? { subtree: { template: subtreeTemplate, keys: subtreeKeys } } : {}),
              onRegister: (p) => ctx.stderr(`registering wallet policy "${p.name}" ${p.descriptorTemplate}: approve it on the device (once; its HMAC is kept in ${store.path})`),
            });
      const json = resultJson(job, r);
      results.push(json);
      if (!ctx.global.json) {
        const what = job.name !== undefined ? `${job.name}: ` : '';
        ctx.stderr(`${what}group key ${json.groupKey} (V${json.groupKeyVersion}, ${json.derivationPath}) signed with the ${app === 'tap' ? 'Taproot Assets' : 'Bitcoin'} app; signature verified`);
        ctx.stdout(String(json.signedGroupPsbt));
      }
    }
    if (ctx.global.json) ctx.stdout(JSON.stringify(results.length === 1 ? results[0] : { signed: results }));
  }, emulatorApp(requested, mainnet));
}

export const tapd: Command = {
  name: 'tapd',
  usage: USAGE,
  async run(ctx) {
    const sub = ctx.argv[0];
    if (sub === 'group-key') return groupKey(ctx);
    if (sub === 'sign-group-psbt') return signGroupPsbt(ctx);
    throw new CliError(`expected a subcommand group-key or sign-group-psbt, got ${sub === undefined ? 'none' : `"${sub}"`}; usage: ${USAGE}`);
  },
};
