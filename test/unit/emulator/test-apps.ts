// Tiny apps for the device tests: one answers GET_MASTER_FINGERPRINT (E1 05) and a client-command
// round trip (E1 10: respond E000 with a request, expect F8 01 with the answer, echo it), one asks for
// a review (E1 20) and answers 9000 when approved, 6985 when rejected.

import { statusOnly, type CommandApdu } from '../../../apdu/apdu.ts';
import { concat } from '../../../apdu/bytes.ts';
import type { AppContext, CommandIO, DeviceApp } from '../../../emulator/app.ts';
import { masterFingerprint } from '../../../emulator/seed.ts';
import type { ReviewFlow } from '../../../emulator/ui/review.ts';

export const REVIEW: ReviewFlow = {
  intro: 'Review transaction\nto send bitcoin',
  pairs: [
    { item: 'Amount', value: '0.0006 TEST' },
    { item: 'To', value: 'tb1p8wpt9v4frpf3tkn0srd97pksgsxc5hs52lafxwru9kgeephvs7rqlqt9zj' },
    { item: 'Fees', value: '0.00001 TEST' },
  ],
  finish: { text: 'Sign transaction', action: 'hold' },
  approved: 'Transaction signed',
  rejected: 'Transaction rejected',
  reject: 'Reject transaction',
};

export function testApp(name = 'Test App'): DeviceApp {
  return {
    name,
    version: '1.0.0',
    flags: Uint8Array.of(0x00),
    async handle(cmd: CommandApdu, io: CommandIO, ctx: AppContext): Promise<Uint8Array> {
      if (cmd.cla !== 0xe1) return statusOnly(0x6e00);
      if (cmd.ins === 0x05) return concat(masterFingerprint(ctx.master), statusOnly(0x9000));
      if (cmd.ins === 0x10) {
        const next = await io.respond(concat(Uint8Array.of(0x40), cmd.data, statusOnly(0xe000)));
        if (next.cla !== 0xf8 || next.ins !== 0x01) return statusOnly(0xb007);
        return concat(next.data, statusOnly(0x9000));
      }
      if (cmd.ins === 0x20) return statusOnly((await ctx.review(REVIEW)) ? 0x9000 : 0x6985);
      if (cmd.ins === 0x30) return concat(ctx.random(cmd.data[0] ?? 0), statusOnly(0x9000));
      if (cmd.ins === 0x40) {
        const key = 'counter';
        const n = (ctx.nvram.get(key)?.[0] ?? 0) + 1;
        ctx.nvram.set(key, Uint8Array.of(n));
        return concat(Uint8Array.of(n), statusOnly(0x9000));
      }
      if (cmd.ins === 0x50) throw new Error('app bug');
      return statusOnly(0x6d00);
    },
  };
}
