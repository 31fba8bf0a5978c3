// Every error this package throws on purpose is a TaprootHwError with a stable `code` (the way
// @ledgerhq/errors and HWI's HWWError(msg, code) do it); docs/errors.md lists them. One matching
// rule: `isTaprootHwError(err, 'E_LOCKED')`, which compares `err.code` and so works across two
// copies of the package, where `instanceof` fails (docs/architecture.md §7).
//
// Each layer has one class (CodecError here, DeviceStatusError in status.ts, TransportError in
// devices/, BitcoinError in bitcoin/, ...) and a subclass only where a field is typed (an input
// index, a signer). The `name` of an error comes from its code in the table below, so the names
// integrators switched on before codes existed stay as they were.

/** Every stable error code and the `name` it gives its error, grouped by the layer that raises it. */
export const ERROR_CODES = {
  // apdu: bytes (or a path) that do not decode as the expected shape.
  E_CODEC: 'CodecError',
  // apdu/status.ts: a status word the device answered (the STATUS table maps word → code).
  E_DEVICE_STATUS: 'DeviceStatusError',
  E_LOCKED: 'LockedDeviceError',
  E_USER_REFUSED: 'UserRefusedError',
  E_WRONG_APP: 'WrongAppError',
  E_NOT_SUPPORTED: 'NotSupportedError',
  E_INCORRECT_DATA: 'IncorrectDataError',
  E_SECURITY_STATUS: 'SecurityStatusError',
  E_WRONG_P1P2: 'WrongP1P2Error',
  E_WRONG_LENGTH: 'WrongDataLengthError',
  E_SWAP_FAILED: 'SwapFailedError',
  E_INS_NOT_SUPPORTED: 'InsNotSupportedError',
  E_WRONG_RESPONSE_LENGTH: 'WrongResponseLengthError',
  E_BAD_STATE: 'BadStateError',
  E_SIGNATURE_FAIL: 'SignatureFailError',
  E_APP_NOT_FOUND: 'AppNotFoundError',
  E_INVALID_APP_NAME: 'InvalidAppNameError',
  E_NONCE_SESSION_UNKNOWN: 'NonceSessionUnknownError',
  E_NONCE_SESSION_MISMATCH: 'NonceSessionMismatchError',
  E_BLIND_SIGNING_DISABLED: 'BlindSigningDisabledError',
  E_KEY_NOT_HELD: 'KeyNotHeldError',
  E_NONCE_SLOTS_FULL: 'NonceSlotsFullError',
  E_DKG_SESSION_UNKNOWN: 'DkgSessionUnknownError',
  E_DKG_SHARE_INVALID: 'DkgShareInvalidError',
  E_WRAPPED_SHARE_INVALID: 'WrappedShareInvalidError',
  // bitcoin/: descriptors, wallet policies, key information, PSBTs, MuSig2 inputs, multisig shapes.
  E_DESCRIPTOR: 'DescriptorError',
  E_WALLET_POLICY: 'WalletPolicyError',
  E_KEY_INFO: 'KeyInfoError',
  E_PSBT: 'PsbtError',
  E_MUSIG: 'MusigError',
  E_SHAPE: 'ShapeError',
  E_FROST_DKG: 'FrostDkgError',
  // assets/: well-formed Taproot Assets data that breaks a protocol rule.
  E_ASSET_VERIFY: 'AssetVerifyError',
  E_MSSMT_OVERFLOW: 'MssmtOverflowError',
  E_MSSMT_STACK_LIMIT: 'MssmtStackLimitError',
  // devices/: transports, their framing, transcripts.
  E_TRANSPORT_BUSY: 'TransportBusyError',
  E_ABORTED: 'AbortError',
  E_TIMEOUT: 'TransportTimeoutError',
  E_TRANSPORT_CLOSED: 'TransportClosedError',
  E_DISCONNECTED: 'TransportDisconnectedError',
  E_TRANSPORT_RESPONSE: 'TransportResponseError',
  E_TRANSPORT_SPEC: 'TransportSpecError',
  E_HID_UNAVAILABLE: 'HidUnavailableError',
  E_HID_OPEN: 'HidOpenError',
  E_HID_FRAMING: 'HidFramingError',
  E_SPECULOS_FRAMING: 'SpeculosFramingError',
  E_SPECULOS_SCHEMA: 'SpeculosSchemaError',
  E_SPECULOS_HTTP: 'SpeculosHttpError',
  E_TRANSCRIPT: 'TranscriptParseError',
  E_REPLAY_MISMATCH: 'ReplayMismatchError',
  // host/errors.ts: what the host refuses, naming the faulty party (device, signer, input).
  E_DEVICE_RESPONSE: 'DeviceResponseError',
  E_DEVICE_SIGNATURE: 'DeviceSignatureError',
  E_CLIENT_COMMAND: 'ClientCommandError',
  E_MUSIG_SESSION: 'MusigSessionError',
  E_MUSIG_SIGNER: 'MusigSignerError',
  E_INVALID_PARTIAL_SIGNATURE: 'InvalidPartialSignatureError',
  E_MUSIG_AGGREGATE: 'MusigAggregateError',
  E_FROST_SESSION: 'FrostSessionError',
  E_FROST_PARTICIPANT: 'FrostParticipantError',
  E_INVALID_SIGNATURE_SHARE: 'InvalidSignatureShareError',
  E_FROST_AGGREGATE: 'FrostAggregateError',
  E_NOT_GROUP_VIRTUAL_PSBT: 'NotGroupVirtualPsbtError',
  E_GROUP_KEY_NOT_HELD: 'GroupKeyNotHeldError',
  E_WRONG_NETWORK: 'WrongNetworkError',
  E_GROUP_KEY_SHAPE: 'GroupKeyShapeError',
  E_GROUP_ASSET_MISMATCH: 'GroupAssetMismatchError',
  E_GROUP_SIGNATURE: 'GroupSignatureError',
  E_TAPD_RESPONSE: 'TapdResponseError',
  // coordinator/: the cosigning coordinator and its party client.
  E_COORDINATOR: 'CoordinatorError',
  E_COORDINATOR_UNREACHABLE: 'CoordinatorUnreachableError',
  E_ENVELOPE: 'EnvelopeError',
  E_INVITE: 'InviteError',
  E_PIN_MISMATCH: 'PinMismatchError',
  E_STORE_LOCKED: 'StoreLockedError',
  E_COSIGN: 'CosignError',
  // emulator/: what the emulator refuses to whoever starts and drives it.
  E_SEED: 'SeedError',
  E_UNKNOWN_APP: 'UnknownAppError',
  E_AUTOMATION: 'AutomationError',
  E_PORT_IN_USE: 'PortInUseError',
  // harness/: starting Speculos and driving screens.
  E_SPECULOS_UNAVAILABLE: 'SpeculosUnavailableError',
  E_SPECULOS_START: 'SpeculosStartError',
  E_SPECULOS_STOP: 'SpeculosStopError',
  E_SCREEN_TIMEOUT: 'ScreenTimeoutError',
  E_BACKEND_CAPABILITY: 'BackendCapabilityError',
  // cli/: a command line that cannot run as given, a policy store that cannot be read.
  E_USAGE: 'CliError',
  E_POLICY_STORE: 'PolicyStoreError',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

const BRAND = Symbol.for('taproot-hw.error');

/** The base of every error the package throws on purpose; `code` is stable, match on it. */
export class TaprootHwError extends Error {
  override readonly name: string;
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = ERROR_CODES[code];
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * The one matching rule: true when `err` is an error of this package (of any copy of it) and, when
 * `code` is given, has that code. Narrows `err` so `err.code` and `err.message` can be read.
 */
export function isTaprootHwError<C extends ErrorCode>(err: unknown, code?: C): err is TaprootHwError & { code: C } {
  if (typeof err !== 'object' || err === null || (err as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (err as TaprootHwError).code === code;
}

/** Bytes that do not decode as the expected shape; the message says which field and why. */
export class CodecError extends TaprootHwError {
  constructor(message: string, options?: ErrorOptions) {
    super('E_CODEC', message, options);
  }
}
