// Every CLI command, in the order `taproot-hw --help` lists them.

import type { Command } from '../command.ts';
import { address } from './address.ts';
import { coordinatorCommand } from './coordinator.ts';
import { cosign } from './cosign.ts';
import { demoCommand } from './demo.ts';
import { emulatorCommand } from './emulator.ts';
import { fingerprint } from './fingerprint.ts';
import { register } from './register.ts';
import { musig2 } from './musig2.ts';
import { showVpsbt } from './show-vpsbt.ts';
import { signMessage } from './sign-message.ts';
import { signPsbt } from './sign-psbt.ts';
import { signVpsbtCommand } from './sign-vpsbt.ts';
import { tapKey } from './tap-key.ts';
import { tapd } from './tapd.ts';
import { xpub } from './xpub.ts';

export const COMMANDS: Command[] = [demoCommand, emulatorCommand, fingerprint, xpub, register, address, signPsbt, signMessage, tapKey, musig2, cosign, coordinatorCommand, showVpsbt, signVpsbtCommand, tapd];
