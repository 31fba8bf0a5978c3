// The one FROST DKG a device takes part in at a time (docs/frost.md §2.1): its handle and the
// participant state with the secret polynomial, in RAM only. A new round 1 replaces (and wipes)
// the previous DKG; closing the app wipes it, so a restart aborts the DKG.

import { equal } from '../../../../apdu/bytes.ts';
import { dkgWipe, type DkgState } from '../../../../bitcoin/frost/dkg.ts';

export class DkgSession {
  private current: { handle: Uint8Array; state: DkgState } | undefined;

  start(handle: Uint8Array, state: DkgState): void {
    this.wipe();
    this.current = { handle, state };
  }

  find(handle: Uint8Array): DkgState | undefined {
    return this.current && equal(this.current.handle, handle) ? this.current.state : undefined;
  }

  wipe(): void {
    if (this.current) dkgWipe(this.current.state);
    this.current = undefined;
  }
}
