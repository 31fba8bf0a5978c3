// TextEvent on the wire: exactly Speculos's fields in its order (dataclasses.asdict of TextEvent), so
// an event from the device never leaks extra properties to clients.

import type { TextEvent } from './surface.ts';

export function textEventJson(event: TextEvent): string {
  const { text, x, y, w, h, clear } = event;
  return JSON.stringify({ text, x, y, w, h, clear });
}

export function textEventsJson(events: readonly TextEvent[]): string {
  return `{"events":[${events.map(textEventJson).join(',')}]}`;
}
