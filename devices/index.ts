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
  ledgerInterfaces,
  listHidDevices,
  loadHidBackend,
  NO_DEVICE_HINT,
  NodeHidTransport,
  UDEV_HINT,
  UDEV_RULES,
  type HidBackend,
  type HidDeviceInfo,
  type HidHandle,
  type ModuleLoader,
  type NodeHidDevice,
  type NodeHidOpenOptions,
} from './node-hid.ts';
export { watchLedgerAttach, type AttachWatcher, type UsbAttachEmitter, type UsbLoader } from './usb-hotplug.ts';
export {
  formatTranscript,
  parseTranscript,
  ReplayMismatchError,
  ReplayTransport,
  TranscriptRecorder,
  type TranscriptExchange,
} from './replay.ts';
export { openTransport, TRANSPORT_SPECS, WITHOUT_DEVICE_HINT, type OpenTransportOptions } from './open.ts';
export * from './framing/hid.ts';
export * from './framing/speculos-tcp.ts';
export * from './framing/speculos-http.ts';
