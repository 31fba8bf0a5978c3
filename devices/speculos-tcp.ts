// Client for a Speculos APDU TCP port (docs/architecture.md §5), written on node:net with our own framing so
// that a response split over several TCP reads, or several in one read, is handled (Ledger's
// hw-transport-node-speculos decodes each read on its own and fails on split replies).

import { connect, type Socket } from 'node:net';
import { toHex } from '../apdu/bytes.ts';
import { encodeSpeculosRequest, SpeculosResponseReader } from './framing/speculos-tcp.ts';
import { GuardedTransport } from './guarded.ts';
import { TransportError } from './errors.ts';

export interface SpeculosTcpOptions {
  host?: string;
  port: number;
  /** Fails open() when the connection is not made within this many milliseconds (default 5000). */
  connectTimeoutMs?: number;
}

export class SpeculosTcpTransport extends GuardedTransport {
  readonly kind = 'speculos-tcp';
  private readonly reader = new SpeculosResponseReader();
  private waiting: { resolve: (r: Uint8Array) => void; reject: (e: Error) => void } | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => this.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('error', (err) => this.lost(new TransportError('E_DISCONNECTED', `speculos-tcp ${address}: ${err.message}`, { cause: err })));
    socket.on('close', () => this.lost(new TransportError('E_DISCONNECTED', `speculos-tcp ${address}: connection closed by the device side`)));
  }

  static open({ host = '127.0.0.1', port, connectTimeoutMs = 5000 }: SpeculosTcpOptions): Promise<SpeculosTcpTransport> {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return Promise.reject(new RangeError(`speculos-tcp port: expected 1..65535, got ${port}`));
    const address = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError('E_DISCONNECTED', `speculos-tcp ${address}: expected a connection within ${connectTimeoutMs} ms, got none`));
      }, connectTimeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new TransportError('E_DISCONNECTED', `speculos-tcp ${address}: cannot connect (${err.message}); is the emulator or Speculos running?`, { cause: err }));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new SpeculosTcpTransport(socket, address));
      });
    });
  }

  protected transmit(apdu: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(encodeSpeculosRequest(apdu));
    });
  }

  protected release(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  private onData(chunk: Uint8Array): void {
    let responses: Uint8Array[];
    try {
      responses = this.reader.push(chunk);
    } catch (err) {
      return this.lost(new TransportError('E_TRANSPORT_RESPONSE', `speculos-tcp ${this.address}: ${(err as Error).message}`, { cause: err }));
    }
    for (const response of responses) {
      const waiting = this.waiting;
      // Replies come in order, one per command; one with no command waiting means the stream is out of step.
      if (!waiting)
        return this.lost(new TransportError('E_TRANSPORT_RESPONSE', `speculos-tcp ${this.address}: expected no data, got an unsolicited reply ${toHex(response)}`));
      this.waiting = undefined;
      waiting.resolve(response);
    }
  }

  private lost(reason: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(reason);
    this.disconnected(reason);
    this.socket.destroy();
  }
}
