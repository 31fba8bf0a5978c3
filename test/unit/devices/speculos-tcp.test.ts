import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { encodeSpeculosResponse, SpeculosRequestReader } from '../../../devices/framing/speculos-tcp.ts';
import { openTransport } from '../../../devices/open.ts';
import { SpeculosTcpTransport } from '../../../devices/speculos-tcp.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

/**
 * A small Speculos-like APDU port for these tests: it reassembles requests with our reader and lets each
 * test decide how the framed answer is written (in pieces, with pauses, so the client sees split reads).
 */
async function apduServer(
  reply: (apdu: string, socket: Socket) => Promise<void> | void,
): Promise<{ port: number; server: Server; sockets: Socket[]; received: string[] }> {
  const sockets: Socket[] = [];
  const received: string[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    const reader = new SpeculosRequestReader();
    socket.on('data', async (chunk) => {
      for (const apdu of reader.push(new Uint8Array(chunk))) {
        received.push(toHex(apdu));
        await reply(toHex(apdu), socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, server, sockets, received };
}

const servers: Server[] = [];
const transports: SpeculosTcpTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const ANSWERS: Record<string, string> = {
  b0010000: '010c426974636f696e205465737405322e342e360100' + '9000',
  e105000000: 'f5acc2fd9000',
};

async function open(port: number): Promise<SpeculosTcpTransport> {
  const t = await SpeculosTcpTransport.open({ port });
  transports.push(t);
  return t;
}

describe('SpeculosTcpTransport', () => {
  it('reassembles answers written byte by byte and in uneven pieces', async () => {
    const { port, received } = await apduServer(async (apdu, socket) => {
      const framed = encodeSpeculosResponse(fromHex(ANSWERS[apdu] ?? '6d00'));
      const cuts = apdu === 'b0010000' ? [1, 3, 4, 5, 9, framed.length] : Array.from(framed, (_, i) => i + 1);
      let from = 0;
      for (const to of cuts) {
        socket.write(framed.subarray(from, to));
        from = to;
        await tick();
      }
    });
    const t = await open(port);
    expect(toHex(await t.exchange(fromHex('b0010000')))).toBe(ANSWERS.b0010000);
    expect(toHex(await t.exchange(fromHex('e105000000')))).toBe('f5acc2fd9000');
    expect(toHex(await t.exchange(fromHex('e1ff000000')))).toBe('6d00');
    expect(received).toEqual(['b0010000', 'e105000000', 'e1ff000000']);
    expect(t.address).toBe(`127.0.0.1:${port}`);
  });

  it('refuses a concurrent exchange with TransportBusyError', async () => {
    const { port } = await apduServer(async (apdu, socket) => {
      await tick();
      socket.write(encodeSpeculosResponse(fromHex(ANSWERS[apdu]!)));
    });
    const t = await open(port);
    const first = t.exchange(fromHex('e105000000'));
    await expect(t.exchange(fromHex('b0010000'))).rejects.toMatchObject({ code: 'E_TRANSPORT_BUSY' });
    expect(toHex(await first)).toBe('f5acc2fd9000');
  });

  it('keeps the late answer of a timed-out exchange away from the next one', async () => {
    let release: (() => void) | undefined;
    const { port } = await apduServer(async (apdu, socket) => {
      if (apdu === 'e104000000') await new Promise<void>((r) => (release = r));
      socket.write(encodeSpeculosResponse(fromHex(ANSWERS[apdu] ?? '6985')));
    });
    const t = await open(port);
    await expect(t.exchange(fromHex('e104000000'), { timeoutMs: 30 })).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    expect(t.busy).toBe(true);
    while (!release) await tick();
    release();
    while (t.busy) await tick();
    expect(toHex(await t.exchange(fromHex('e105000000')))).toBe('f5acc2fd9000');
  });

  it('a server that hangs up fails the exchange and tells listeners', async () => {
    const { port } = await apduServer((_apdu, socket) => void socket.end());
    const t = await open(port);
    const heard: (Error | undefined)[] = [];
    t.onDisconnect((reason) => heard.push(reason));
    await expect(t.exchange(fromHex('b0010000'))).rejects.toMatchObject({ code: 'E_DISCONNECTED' });
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ code: 'E_DISCONNECTED' });
    await expect(t.exchange(fromHex('b0010000'))).rejects.toMatchObject({ code: 'E_TRANSPORT_CLOSED' });
  });

  it('an unsolicited reply is a protocol error that ends the connection', async () => {
    const { port, sockets } = await apduServer(() => undefined);
    const t = await open(port);
    const heard: (Error | undefined)[] = [];
    t.onDisconnect((reason) => heard.push(reason));
    while (sockets.length === 0) await tick();
    sockets[0]!.write(encodeSpeculosResponse(fromHex('9000')));
    while (heard.length === 0) await tick();
    expect(heard[0]).toMatchObject({ code: 'E_TRANSPORT_RESPONSE', message: expect.stringContaining('unsolicited reply 9000') });
  });

  it('close ends the exchange in flight with TransportClosedError', async () => {
    const { port } = await apduServer(() => undefined);
    const t = await open(port);
    const pending = expect(t.exchange(fromHex('e104000000'))).rejects.toMatchObject({ code: 'E_TRANSPORT_CLOSED' });
    await t.close();
    await pending;
  });

  it('open fails with TransportDisconnectedError when nothing listens, RangeError for a bad port', async () => {
    const { port, server } = await apduServer(() => undefined);
    await new Promise((r) => server.close(r));
    servers.length = 0;
    await expect(SpeculosTcpTransport.open({ port })).rejects.toMatchObject({
      code: 'E_DISCONNECTED',
      message: expect.stringContaining('is the emulator or Speculos running?'),
    });
    await expect(SpeculosTcpTransport.open({ port: 70000 })).rejects.toThrow(RangeError);
  });

  it('openTransport("speculos-tcp://127.0.0.1:PORT") connects', async () => {
    const { port } = await apduServer((apdu, socket) => void socket.write(encodeSpeculosResponse(fromHex(ANSWERS[apdu]!))));
    const t = await openTransport(`speculos-tcp://127.0.0.1:${port}`);
    expect(t.kind).toBe('speculos-tcp');
    expect(toHex(await t.exchange(fromHex('e105000000')))).toBe('f5acc2fd9000');
    await t.close();
  });
});
