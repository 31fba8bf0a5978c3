// A 2-of-3 FROST key set for the end-to-end tests that sign with it as an asset key: two emulated
// devices (blind signing off, so FROST_SIGN of a host-supplied hash would be B012 and every device
// share comes from a command that derives its message itself) and a software participant.

import { DeviceFrostParticipant, SoftwareFrostParticipant, runFrostDkg, type DeviceFrostSigner, type FrostSigner } from '../../host/frost/index.ts';
import { SEEDS, tapDevice } from './helpers.ts';

export async function frostKeySet() {
  const a = tapDevice({ blindSigning: false });
  const b = tapDevice({ seed: SEEDS.abandon, blindSigning: false });
  const dkg = await runFrostDkg(2, [new DeviceFrostParticipant(a.client, 'device A'), new DeviceFrostParticipant(b.client, 'device B'), new SoftwareFrostParticipant('software C')]);
  const [signerA, signerB, signerC] = dkg.signers as [DeviceFrostSigner, DeviceFrostSigner, FrostSigner];
  return { a, b, dkg, signerA, signerB, signerC };
}
