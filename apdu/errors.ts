// Errors of the pure protocol layer. Each class has a stable `name` so callers can switch on
// `err.name` across package copies, where `instanceof` would fail (docs/architecture.md §7).

/** Bytes that do not decode as the expected shape; the message says which field and why. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}
