// A minimal device app for server tests: INS 02 asks the person to review one pair and answers 9000
// when approved, 6985 when rejected; INS 04 echoes its data (answers as large as an APDU's). It runs inside the real EmulatedDevice, so the screens, buttons,
// touch regions and events are the emulator's own.

import { statusOnly } from '../../../apdu/apdu.ts';
import { concat } from '../../../apdu/bytes.ts';
import { SW } from '../../../apdu/status.ts';
import type { DeviceApp } from '../../../emulator/app.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import type { ModelId } from '../../../devices/models.ts';

export const REVIEW_APP_NAME = 'Review Test';
/** CLA E0 INS 04: answers its data || 9000. */
export const ECHO_INS = 0x04;
/** CLA E0 INS 02, no data: starts the review. */
export const REVIEW_APDU = Uint8Array.of(0xe0, 0x02, 0x00, 0x00, 0x00);

export function reviewApp(): DeviceApp {
  return {
    name: REVIEW_APP_NAME,
    version: '1.0.0',
    flags: Uint8Array.of(0),
    async handle(cmd, _io, ctx) {
      if (cmd.ins === ECHO_INS) return concat(cmd.data, statusOnly(SW.OK));
      if (cmd.ins !== 0x02) return statusOnly(SW.INS_NOT_SUPPORTED);
      const approved = await ctx.review({
        intro: 'Review\ntest payment',
        pairs: [{ item: 'Amount', value: '0.5 BTC' }],
        finish: { text: 'Approve payment', action: 'approve' },
        approved: 'Payment approved',
        rejected: 'Payment rejected',
      });
      return statusOnly(approved ? SW.OK : SW.DENY);
    },
  };
}

export function reviewDevice(model: ModelId = 'nanosp'): EmulatedDevice {
  return new EmulatedDevice({ model, apps: [reviewApp], startApp: REVIEW_APP_NAME, statusTimeoutMs: 0 });
}
