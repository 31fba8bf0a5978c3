// Request decoding with the status words of §1: the shared codec throws, the app answers.

import type { CommandSpec } from '../../../apdu/tap-app/spec.ts';
import { tapRequestErrorStatus } from '../../../apdu/tap-app/spec.ts';
import { TapError } from './errors.ts';

export function decodeBody<Req>(spec: CommandSpec<Req, unknown>, body: Uint8Array): Req {
  try {
    return spec.decodeRequest(body);
  } catch (e) {
    throw new TapError(tapRequestErrorStatus(e), (e as Error).message);
  }
}
