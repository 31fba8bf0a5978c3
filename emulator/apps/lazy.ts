// An installed app whose command code loads at its first command (APPS_ON_DEMAND, on-demand.ts). What
// the device shows and answers without the app's code (its name, version and flags for
// GET_APP_AND_VERSION, its home screen) comes from a small identity module; the dispatcher, the
// handlers and the Bitcoin and Taproot Assets libraries they need load when the app gets its first
// command.

import { AppCommandAborted, type AppFactory, type DeviceApp } from '../app.ts';

/** What the device knows of an app without running it: the fields B0 01 answers and the home screen draws. */
export type AppIdentity = Pick<DeviceApp, 'name' | 'version' | 'flags' | 'home'>;

/**
 * A factory for the app `load` resolves to, answering as `identity` says until then. Each instance
 * creates its own app at its first command, so RAM state starts empty per launch as with an eager
 * factory; closing it first wipes that app, and a command whose app was closed while loading ends
 * as an aborted command instead of running.
 */
export function lazyApp(identity: AppIdentity, load: () => Promise<AppFactory>): AppFactory {
  return () => {
    let app: Promise<DeviceApp> | undefined;
    let created: DeviceApp | undefined;
    let closed = false;
    return {
      name: identity.name,
      version: identity.version,
      flags: Uint8Array.from(identity.flags),
      ...(identity.home ? { home: identity.home } : {}),
      async handle(command, io, ctx) {
        const loaded = await (app ??= load().then((create) => (created = create())));
        if (closed) throw new AppCommandAborted(`${identity.name} was closed while its code loaded`);
        return loaded.handle(command, io, ctx);
      },
      close() {
        closed = true;
        created?.close?.();
      },
    };
  };
}
