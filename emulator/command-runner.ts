// The suspended-command runner: one app command at a time, which may pause itself to send a response
// and wait for the host's next APDU (CommandIO.respond, the Bitcoin app's client commands: SW E000,
// then F8 01 CONTINUE). The host's pending APDU is always answered exactly once: by the next pause,
// by the command's final response, or by the status word of an abort.

import { statusOnly, type CommandApdu } from '../apdu/apdu.ts';
import { SW } from '../apdu/status.ts';
import { AppCommandAborted, type AppContext, type CommandIO, type DeviceApp } from './app.ts';

/** The device's answer to an app fault it cannot name (SW 6F00, "technical problem"). */
export const SW_TECHNICAL_PROBLEM = 0x6f00;

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A command in progress: `reply` answers the host's pending APDU, `waiter` a suspended respond(). */
interface RunningCommand {
  reply: Deferred<Uint8Array> | undefined;
  waiter: Deferred<CommandApdu> | undefined;
}

export class CommandRunner {
  private command: RunningCommand | undefined;

  /** `onFinish` runs when a command ends by itself (not when aborted). */
  constructor(private readonly onFinish: () => void) {}

  /**
   * The host's next APDU: resumes the command suspended in respond(), or starts a new command of
   * `app`. Resolves with the response to this APDU.
   */
  deliver(app: DeviceApp, ctx: AppContext, cmd: CommandApdu): Promise<Uint8Array> {
    const running = this.command;
    if (running?.waiter) {
      const waiter = running.waiter;
      running.waiter = undefined;
      running.reply = deferred();
      waiter.resolve(cmd);
      return running.reply.promise;
    }
    return this.start(app, ctx, cmd);
  }

  /** Ends the running command: a pending reply is answered `sw`, a suspended respond() rejects. */
  abort(sw: number): void {
    const running = this.command;
    this.command = undefined;
    if (!running) return;
    running.waiter?.reject(new AppCommandAborted('the device aborted the command'));
    running.reply?.resolve(statusOnly(sw));
  }

  private start(app: DeviceApp, ctx: AppContext, cmd: CommandApdu): Promise<Uint8Array> {
    const running: RunningCommand = { reply: deferred(), waiter: undefined };
    const reply = running.reply!.promise;
    this.command = running;
    const io: CommandIO = { respond: (response) => this.suspend(running, response) };
    let result: Promise<Uint8Array>;
    try {
      result = app.handle(cmd, io, ctx);
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (response) => this.finish(running, validResponse(response)),
      (e: unknown) => this.finish(running, statusOnly(e instanceof AppCommandAborted ? SW.WRONG_DATA_LENGTH : SW_TECHNICAL_PROBLEM)),
    );
    return reply;
  }

  private suspend(running: RunningCommand, response: Uint8Array): Promise<CommandApdu> {
    if (this.command !== running || !running.reply) return Promise.reject(new AppCommandAborted('respond: the command is no longer running'));
    const reply = running.reply;
    running.reply = undefined;
    running.waiter = deferred();
    reply.resolve(validResponse(response));
    return running.waiter.promise;
  }

  private finish(running: RunningCommand, response: Uint8Array): void {
    if (this.command !== running) return;
    this.command = undefined;
    running.waiter?.reject(new AppCommandAborted('the command ended'));
    running.reply?.resolve(response);
    this.onFinish();
  }
}

/** An app's response must end in a status word; anything shorter is the device's 6F00. */
function validResponse(response: unknown): Uint8Array {
  return response instanceof Uint8Array && response.length >= 2 ? response : statusOnly(SW_TECHNICAL_PROBLEM);
}
