// Public surface of devices/: how bytes move between the host and a device.

export type { ApduExchanger, ExchangeOptions, Transport } from './transport.ts';
export * from './models.ts';
export * from './errors.ts';
export { GuardedTransport } from './guarded.ts';
export { LoopbackTransport } from './loopback.ts';
export { SpeculosTcpTransport, type SpeculosTcpOptions } from './speculos-tcp.ts';
export { SpeculosHttpControl, SpeculosHttpTransport, type SpeculosHttpOptions } from './speculos-http.ts';
export {
  HID_INSTALL_HINT,
  HidUnavailableError,
  listHidDevices,
  loadHidBackend,
  NO_DEVICE_HINT,
  NodeHidTransport,
  UDEV_RULES,
  type HidBackend,
  type HidDeviceInfo,
  type LedgerHidTransport,
  type ModuleLoader,
  type NodeHidOpenOptions,
} from './node-hid.ts';
export {
  formatTranscript,
  parseTranscript,
  ReplayMismatchError,
  ReplayTransport,
  TranscriptParseError,
  TranscriptRecorder,
  type TranscriptExchange,
} from './replay.ts';
export { openTransport, TRANSPORT_SPECS, type OpenTransportOptions } from './open.ts';
export * from './framing/hid.ts';
export * from './framing/speculos-tcp.ts';
export * from './framing/speculos-http.ts';
