// The whole cosigning flow in one process over the coordinator's real HTTP port: three parties with
// software keys run the key exchange and a spend; every party ends with the same policy and the
// same signature, which verifies independently.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosignParty, type Coordinator, type PolicyResult } from '../../coordinator/index.ts';
import { expectSignedSpend, memoryCoordinator, PATH, softwareCosigner, spendPsbt, tempDir } from './fixture.ts';

describe('cosigning through the coordinator (in process, software keys)', () => {
  let coordinator: Coordinator;
  let url: string;
  beforeAll(async () => ({ coordinator, url } = await memoryCoordinator()));
  afterAll(() => coordinator.close());

  it('three parties exchange keys, agree on one policy and sign a spend', async () => {
    const homes = [tempDir('p0'), tempDir('p1'), tempDir('p2')];
    const signers = [0, 1, 2].map(softwareCosigner);
    const { party: p0, invites } = await CosignParty.start(url, 3, PATH, { home: homes[0] });
    expect(invites).toHaveLength(2);
    const joined = await Promise.all(invites.map((inv, i) => CosignParty.join(url, inv, PATH, { home: homes[i + 1] })));
    const parties = [p0, ...joined];
    const policies: PolicyResult[] = await Promise.all(parties.map((p, i) => p.exchangeKeys(signers[i]!)));
    expect(policies[0]!.policy).toBe('tr(musig(@0,@1,@2)/**)');
    expect(policies[1]).toEqual(policies[0]);
    expect(policies[2]).toEqual(policies[0]);
    expect(policies[0]!.hmac).toBeNull();

    const psbt = spendPsbt(policies[0]!);
    const again = await Promise.all(
      [0, 1, 2].map((i) => CosignParty.load(url, p0.session, { home: homes[i] }).then((p) => p.sign(signers[i]!, i === 0 ? psbt : undefined))),
    );
    expect(again[1]!.signature).toBe(again[0]!.signature);
    expect(again[2]!.signature).toBe(again[0]!.signature);
    expectSignedSpend(policies[0]!, again[0]!.psbt!, again[0]!.signature);
  });
});
