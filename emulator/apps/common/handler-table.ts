// An emulated app's dispatcher table, derived from the app's description (apdu/*/app.ts): every
// command the description lists has exactly one handler, and no handler serves a command it does
// not list. Checked when the app's module loads, so a command added to one side only fails at once.

import type { AppWire, CommandSpec } from '../../../apdu/command-spec.ts';

export function handlerTable<H extends { readonly spec: CommandSpec<any, any> }>(app: AppWire, handlers: readonly H[]): Map<number, H> {
  const table = new Map(handlers.map((h) => [h.spec.ins, h]));
  const listed = new Set(app.commands);
  if (table.size !== handlers.length || handlers.some((h) => !listed.has(h.spec)) || app.commands.some((c) => table.get(c.ins)?.spec !== c))
    throw new Error(`${app.name} app: expected one handler per command of its description, got ${handlers.map((h) => h.spec.name).join(', ')}`);
  return table;
}
