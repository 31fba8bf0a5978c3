// The policy HMAC store as a small JSON file (default $XDG_CONFIG_HOME/taproot-hw/tapd-policies.json,
// else ~/.config/taproot-hw/tapd-policies.json). It holds registration HMACs and the policies they
// belong to — no secret (see host/tapd/policy-store.ts) — and is written whole through a temporary file so an
// interrupted write never leaves half a document.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fromHex } from '../apdu/bytes.ts';
import type { WalletPolicy } from '../bitcoin/wallet-policy.ts';
import { CliError } from './command.ts';
import { policyStoreKey, storedPolicy, type PolicyHmacStore, type StoredPolicy } from '../host/tapd/policy-store.ts';

export const POLICY_STORE_FILE = 'tapd-policies.json';

interface StoreDocument {
  version: 1;
  /** Registration HMACs are not secrets; this file holds nothing that lets anyone sign. */
  note: string;
  policies: Record<string, StoredPolicy>;
}

const NOTE = 'Wallet-policy registration HMACs keyed by <device fingerprint>:<policy id>. Not secret: only the device that made an HMAC can check it.';

export function defaultPolicyStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'taproot-hw', POLICY_STORE_FILE);
}

export class FilePolicyHmacStore implements PolicyHmacStore {
  constructor(readonly path: string = defaultPolicyStorePath()) {}

  private read(): StoreDocument {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, note: NOTE, policies: {} };
      throw new CliError(`policy store ${this.path}: ${(err as Error).message}`, 'E_POLICY_STORE');
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new CliError(`policy store ${this.path}: expected JSON, got text that does not parse`, 'E_POLICY_STORE');
    }
    const d = doc as Partial<StoreDocument>;
    if (typeof d !== 'object' || d === null || d.version !== 1 || typeof d.policies !== 'object' || d.policies === null)
      throw new CliError(`policy store ${this.path}: expected {"version": 1, "policies": {...}}`, 'E_POLICY_STORE');
    return { version: 1, note: NOTE, policies: d.policies };
  }

  async get(fingerprint: Uint8Array, policyId: Uint8Array): Promise<Uint8Array | undefined> {
    const e = this.read().policies[policyStoreKey(fingerprint, policyId)];
    if (!e) return undefined;
    if (typeof e.hmac !== 'string' || !/^[0-9a-f]{64}$/.test(e.hmac))
      throw new CliError(`policy store ${this.path}: expected a 64-hex-digit hmac for ${policyStoreKey(fingerprint, policyId)}`, 'E_POLICY_STORE');
    return fromHex(e.hmac);
  }

  async set(fingerprint: Uint8Array, policyId: Uint8Array, policy: WalletPolicy, hmac: Uint8Array): Promise<void> {
    const doc = this.read();
    doc.policies[policyStoreKey(fingerprint, policyId)] = storedPolicy(policy, hmac);
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}
