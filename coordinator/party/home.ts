// A party's local files (docs/coordinator.md §5), under one directory (--state, default
// $TAPROOT_HW_HOME or ~/.taproot-hw), mode 0600: the coordinator keys pinned on first use, and one
// file per session holding what the next command needs — the party's HPKE secret key and
// credential, the roster of party keys, the policy and how many spends it completed.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../../apdu/bytes.ts';
import { CoordinatorLayerError } from '../errors.ts';

export function defaultHome(): string {
  return process.env.TAPROOT_HW_HOME ?? join(homedir(), '.taproot-hw');
}

export interface PartyPolicy {
  name: string;
  template: string;
  keys: string[];
  id: string;
  hmac: string | null;
  address: string;
}

export interface PartyState {
  version: 1;
  coordinator: string;
  coordinatorKey: string;
  session: string;
  scheme: string;
  /** FROST sessions: signatures need this many parties. */
  threshold?: number;
  party: number;
  parties: number;
  path: string;
  secretKey: string;
  credential: string;
  /** Party 0: the secret of each invite (index = party), null for itself. Others: their own invite's. */
  inviteSecrets: (string | null)[];
  /** Every party's HPKE key once the roster is known. */
  roster?: string[];
  policy?: PartyPolicy;
  /** FROST sessions, after the DKG: the key package and what restores this party's signer (hex). */
  frost?: { keyPackage: string; share: string };
  /** Spends completed in this session. */
  rounds: number;
}

async function writePrivate(path: string, text: string): Promise<void> {
  // Written beside and renamed: a crash never leaves half a file where the keys were.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

export class PartyHome {
  constructor(readonly dir: string = defaultHome()) {}

  private get pinsFile(): string {
    return join(this.dir, 'coordinators.json');
  }

  private sessionFile(session: string): string {
    if (!/^[A-Za-z0-9_-]{22}$/.test(session)) throw new RangeError(`session: expected a 22-character session id, got "${session.slice(0, 40)}"`);
    return join(this.dir, 'cosign', `${session}.json`);
  }

  private async pins(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(this.pinsFile, 'utf8')) as Record<string, string>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  }

  /**
   * Trust on first use: the first key seen for `url` is pinned; later it must be the same.
   * `expected` (from an invite) is what the initiator pinned: it must match what `url` shows.
   */
  async pin(url: string, shown: Uint8Array, expected?: Uint8Array): Promise<void> {
    if (expected && toHex(expected) !== toHex(shown))
      throw new CoordinatorLayerError('E_PIN_MISMATCH', `coordinator ${url}: the invite names key ${toHex(expected)}, the coordinator shows ${toHex(shown)}`);
    const pins = await this.pins();
    const pinned = pins[url];
    if (pinned === undefined) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writePrivate(this.pinsFile, `${JSON.stringify({ ...pins, [url]: toHex(shown) }, null, 2)}\n`);
    } else if (pinned !== toHex(shown))
      throw new CoordinatorLayerError('E_PIN_MISMATCH', `coordinator ${url}: pinned key ${pinned}, now shows ${toHex(shown)}; refusing (remove the pin from ${this.pinsFile} only if you know why it changed)`);
  }

  async save(state: PartyState): Promise<void> {
    await mkdir(join(this.dir, 'cosign'), { recursive: true, mode: 0o700 });
    await writePrivate(this.sessionFile(state.session), `${JSON.stringify(state, null, 2)}\n`);
  }

  async load(session: string): Promise<PartyState> {
    const file = this.sessionFile(session);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RangeError(`session ${session}: no state in ${file}; run cosign start or join first`);
      throw err;
    }
    return JSON.parse(text) as PartyState;
  }
}
