// `--transport T` for the CLI. Everything but 'emulator' is devices/open.ts. 'emulator' runs the
// software device in this process: nobody is at its buttons, so it approves every review by itself
// and the command says so on stderr — it is for trying the CLI, never for real keys.

import { LoopbackTransport } from '../devices/loopback.ts';
import { openTransport } from '../devices/open.ts';
import type { Transport } from '../devices/transport.ts';
import type { ModelId } from '../devices/models.ts';
import type { CommandContext } from './command.ts';

/** `app` is the emulator app to start when the global --app names none. */
async function openCliTransport(ctx: CommandContext, app: string | undefined): Promise<Transport> {
  const global = ctx.global;
  if (global.transport !== 'emulator') return openTransport(global.transport, global.waitMs !== undefined ? { waitMs: global.waitMs } : {});
  // Loaded here, not at the top: only this transport needs the emulator.
  const { deviceOptions, EmulatedDevice } = await import('../emulator/index.ts');
  const emulatorApp = global.app ?? app;
  const options = deviceOptions({
    ...(global.seed !== undefined ? { seed: global.seed } : {}),
    ...(global.model !== undefined ? { model: global.model as ModelId } : {}),
    ...(emulatorApp !== undefined ? { app: emulatorApp } : {}),
    autoApprove: true,
  });
  const device = new EmulatedDevice(options);
  ctx.stderr('taproot-hw: --transport emulator: in-process software device, reviews are approved automatically');
  return new LoopbackTransport(device);
}

/**
 * Runs `use` with the transport `--transport` names and closes it whatever `use` did: every command
 * that talks to one device goes through here. `app` is the emulator app the command needs when the
 * global --app names none (it matters to the in-process emulator only).
 */
export async function withCliTransport<T>(ctx: CommandContext, use: (transport: Transport) => Promise<T>, app?: string): Promise<T> {
  const transport = await openCliTransport(ctx, app);
  try {
    return await use(transport);
  } finally {
    await transport.close();
  }
}
