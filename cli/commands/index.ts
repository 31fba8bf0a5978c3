// Every CLI command, in the order `taproot-hw --help` lists them.

import type { Command } from '../command.ts';

export const COMMANDS: Command[] = [];
