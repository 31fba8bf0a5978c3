// The emulator's web page (GET /), in the spirit of Speculos's own: the live screen, the device's
// input (two buttons on a Nano, a tappable screen on Stax / Flex / Apex P), an APDU box and the event
// log. It only uses the public REST API, so anything the page does a script can do too:
//   - the screen image reloads from /screenshot on every event of /events?stream=true, and the text
//     of the current screen (/events?currentscreenonly=true) is listed under it;
//   - buttons POST /button/{left,right,both} (arrow keys: left, right, down = both);
//   - on touch models a pointer press and release on the image POST /finger press / release at the
//     device coordinates, so a tap is a tap and holding the pointer holds the finger (hold to sign).

import type { DeviceModel } from '../../devices/models.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage(model: DeviceModel): string {
  const { width, height } = model.screen;
  // Nano screens are tiny: show them 4x, pixel-exact; touch screens at their own size.
  const zoom = model.input === 'buttons' ? 4 : 1;
  const config = JSON.stringify({ input: model.input, width, height });
  const buttons =
    model.input === 'buttons'
      ? `<div class="buttons">
      <button type="button" id="button-left" data-button="left" title="Left button (left arrow)">&larr; left</button>
      <button type="button" id="button-both" data-button="both" title="Both buttons (down arrow)">both</button>
      <button type="button" id="button-right" data-button="right" title="Right button (right arrow)">right &rarr;</button>
    </div>`
      : `<p class="hint">Tap the screen; keep the pointer pressed to hold (e.g. "Hold to sign").</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>taproot-hw emulator: ${escapeHtml(model.productName)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f2f2f2; color: #222; margin: 0; }
  main { display: flex; flex-wrap: wrap; gap: 2em; padding: 1.5em; justify-content: center; }
  .device { text-align: center; }
  #screen { width: ${width * zoom}px; height: ${height * zoom}px; background: #000; border: 12px solid #1d1d1d;
            border-radius: 10px; image-rendering: pixelated; touch-action: none; user-select: none; }
  #screen.touch { cursor: pointer; }
  .buttons { margin-top: 0.8em; display: flex; gap: 0.6em; justify-content: center; }
  .buttons button { padding: 0.4em 1.1em; font-weight: bold; border: 0; border-radius: 4px; background: #2f7d6d;
                    color: #fff; cursor: pointer; }
  .panel { display: flex; flex-direction: column; gap: 0.5em; min-width: 24em; }
  textarea, input { font-family: ui-monospace, monospace; font-size: 12px; }
  #screen-text { list-style: none; padding: 0.5em; margin: 0; background: #fff; min-height: 4em; border: 1px solid #ccc; }
  .hint { color: #666; font-size: 0.9em; }
</style>
</head>
<body>
<main>
  <div class="device">
    <h1>${escapeHtml(model.productName)}</h1>
    <img id="screen" alt="Device screen" draggable="false" class="${model.input === 'touch' ? 'touch' : ''}"
         width="${width * zoom}" height="${height * zoom}" src="/screenshot">
    ${buttons}
    <ul id="screen-text" aria-label="Text on screen"></ul>
  </div>
  <div class="panel">
    <label for="apdu">APDU (hex)</label>
    <div><input id="apdu" size="40" placeholder="b001000000"> <button type="button" id="send">send</button></div>
    <textarea id="apdus" rows="12" cols="60" readonly aria-label="APDU log"></textarea>
    <label for="events">Events</label>
    <textarea id="events" rows="12" cols="60" readonly></textarea>
  </div>
</main>
<script>
"use strict";
const DEVICE = ${config};
const screen = document.getElementById("screen");

function post(path, body) {
  return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

let refreshing = false, again = false;
// Reloads the image and the text list; an event arriving meanwhile triggers one more round, so the
// page always ends on the latest screen.
async function refresh() {
  if (refreshing) { again = true; return; }
  refreshing = true;
  do {
    again = false;
    screen.src = "/screenshot?t=" + Date.now();
    try {
      const { events } = await (await fetch("/events?currentscreenonly=true")).json();
      const list = document.getElementById("screen-text");
      list.replaceChildren(...events.map((e) => {
        const li = document.createElement("li");
        li.textContent = e.text;
        return li;
      }));
    } catch (err) { /* the emulator stopped; the stream's error handler says so */ }
  } while (again);
  refreshing = false;
}

function log(id, line) {
  const area = document.getElementById(id);
  area.value += line + "\\n";
  area.scrollTop = area.scrollHeight;
}

function press(button) {
  post("/button/" + button, { action: "press-and-release" }).then(refresh);
}

async function sendApdu() {
  const input = document.getElementById("apdu");
  const hex = input.value.replace(/\\s+/g, "");
  if (!hex) return;
  input.value = "";
  log("apdus", "=> " + hex);
  const res = await post("/apdu", { data: hex });
  const body = await res.json();
  log("apdus", res.ok ? "<= " + body.data : "error: " + JSON.stringify(body));
}

function devicePoint(event) {
  const box = screen.getBoundingClientRect();
  const x = Math.round((event.clientX - box.left - screen.clientLeft) * DEVICE.width / screen.clientWidth);
  const y = Math.round((event.clientY - box.top - screen.clientTop) * DEVICE.height / screen.clientHeight);
  return { x: Math.min(Math.max(x, 0), DEVICE.width - 1), y: Math.min(Math.max(y, 0), DEVICE.height - 1) };
}

if (DEVICE.input === "buttons") {
  for (const b of document.querySelectorAll("[data-button]")) b.addEventListener("click", () => press(b.dataset.button));
  document.addEventListener("keydown", (e) => {
    if (document.activeElement && document.activeElement.id === "apdu") return;
    const button = { ArrowLeft: "left", ArrowRight: "right", ArrowDown: "both" }[e.key];
    if (button) { e.preventDefault(); press(button); }
  });
} else {
  screen.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    screen.setPointerCapture(e.pointerId);
    post("/finger", { action: "press", ...devicePoint(e) });
  });
  screen.addEventListener("pointerup", (e) => {
    post("/finger", { action: "release", ...devicePoint(e) }).then(refresh);
  });
}
document.getElementById("send").addEventListener("click", sendApdu);
document.getElementById("apdu").addEventListener("keydown", (e) => { if (e.key === "Enter") sendApdu(); });

const stream = new EventSource("/events?stream=true");
stream.onmessage = (message) => { log("events", message.data); refresh(); };
stream.onerror = () => log("events", "(event stream interrupted; reconnecting)");
refresh();
</script>
</body>
</html>
`;
}
