// How a long-running command (emulator, demo, coordinator serve) waits to be stopped.

/** A stop request: SIGINT, SIGTERM, or `stop(why)` from the command itself (the emulator's automation ["exit"]). */
export function stopSignal(): { stopped: Promise<string>; stop: (why: string) => void } {
  let stop!: (why: string) => void;
  const stopped = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => stop(signal);
    stop = (why) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(why);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { stopped, stop };
}
