// The coordinator's identity: an X25519 secret key in a file (hex, mode 0600), created on first
// start. Coordinators that serve one database share the file, so parties see one public key.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fromHex, toHex } from '../apdu/bytes.ts';
import { hpkeKeyPair, type HpkeKeyPair } from './envelope.ts';

export async function loadOrCreateKey(path: string): Promise<HpkeKeyPair> {
  try {
    return hpkeKeyPair(fromHex((await readFile(path, 'ascii')).trim(), `coordinator key file ${path}`));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const keys = hpkeKeyPair();
  try {
    // 'wx': two coordinators starting at once must not each write their own key.
    await writeFile(path, `${toHex(keys.secretKey)}\n`, { mode: 0o600, flag: 'wx' });
    return keys;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return hpkeKeyPair(fromHex((await readFile(path, 'ascii')).trim(), `coordinator key file ${path}`));
  }
}
