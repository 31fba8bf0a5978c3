// Where registration HMACs of group-key policies are kept between runs, keyed by the device's master
// fingerprint and the policy id, so the person approves a policy on the device once. An HMAC is not
// a secret: it only proves to the same device that it approved this policy before (the key lives in
// the device), and a leaked HMAC lets nobody sign. Nothing secret is ever stored here.

import { fromHex, toHex } from '../../apdu/bytes.ts';
import type { WalletPolicy } from '../../bitcoin/wallet-policy.ts';

export interface StoredPolicy {
  /** 64 hex digits. */
  hmac: string;
  name: string;
  descriptorTemplate: string;
  keys: string[];
}

export interface PolicyHmacStore {
  get(fingerprint: Uint8Array, policyId: Uint8Array): Promise<Uint8Array | undefined>;
  set(fingerprint: Uint8Array, policyId: Uint8Array, policy: WalletPolicy, hmac: Uint8Array): Promise<void>;
}

/** The store's key: `<fingerprint hex>:<policy id hex>`. */
export function policyStoreKey(fingerprint: Uint8Array, policyId: Uint8Array): string {
  return `${toHex(fingerprint)}:${toHex(policyId)}`;
}

export function storedPolicy(policy: WalletPolicy, hmac: Uint8Array): StoredPolicy {
  return { hmac: toHex(hmac), name: policy.name, descriptorTemplate: policy.descriptorTemplate, keys: [...policy.keys] };
}

/** A store for one process (tests, or callers that keep HMACs elsewhere). */
export class MemoryPolicyHmacStore implements PolicyHmacStore {
  readonly entries = new Map<string, StoredPolicy>();

  async get(fingerprint: Uint8Array, policyId: Uint8Array): Promise<Uint8Array | undefined> {
    const e = this.entries.get(policyStoreKey(fingerprint, policyId));
    return e ? fromHex(e.hmac) : undefined;
  }

  async set(fingerprint: Uint8Array, policyId: Uint8Array, policy: WalletPolicy, hmac: Uint8Array): Promise<void> {
    this.entries.set(policyStoreKey(fingerprint, policyId), storedPolicy(policy, hmac));
  }
}
