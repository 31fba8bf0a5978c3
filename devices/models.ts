// Ledger device models: USB ids, screens and input kinds (docs/bitcoin-app-protocol.md §10, @ledgerhq/devices 8.18.1).
// Pure data, shared by the host transports and the emulator.

export const LEDGER_USB_VENDOR_ID = 0x2c97;

export type ModelId = 'nanos' | 'nanosp' | 'nanox' | 'stax' | 'flex' | 'apex';

export interface DeviceModel {
  id: ModelId;
  /** DeviceModelId in @ledgerhq/devices (Flex is "europa" there). */
  ledgerId: string;
  productName: string;
  /** Product id high byte: pid >> 8 identifies the model while an app or the dashboard runs. */
  productIdMM: number;
  /** Product id of the bootloader / legacy firmware. */
  legacyProductId: number;
  screen: { width: number; height: number };
  /** Two buttons (Nano family) or a touch screen (Stax, Flex, Apex P). */
  input: 'buttons' | 'touch';
  /** Speculos `--model` name. */
  speculosModel: string;
  targetId: number;
}

export const MODELS: Readonly<Record<ModelId, DeviceModel>> = {
  nanos: {
    id: 'nanos', ledgerId: 'nanoS', productName: 'Ledger Nano S', productIdMM: 0x10, legacyProductId: 0x0001,
    screen: { width: 128, height: 32 }, input: 'buttons', speculosModel: 'nanos', targetId: 0x31100000,
  },
  nanosp: {
    id: 'nanosp', ledgerId: 'nanoSP', productName: 'Ledger Nano S Plus', productIdMM: 0x50, legacyProductId: 0x0005,
    screen: { width: 128, height: 64 }, input: 'buttons', speculosModel: 'nanosp', targetId: 0x33100000,
  },
  nanox: {
    id: 'nanox', ledgerId: 'nanoX', productName: 'Ledger Nano X', productIdMM: 0x40, legacyProductId: 0x0004,
    screen: { width: 128, height: 64 }, input: 'buttons', speculosModel: 'nanox', targetId: 0x33000000,
  },
  stax: {
    id: 'stax', ledgerId: 'stax', productName: 'Ledger Stax', productIdMM: 0x60, legacyProductId: 0x0006,
    screen: { width: 400, height: 672 }, input: 'touch', speculosModel: 'stax', targetId: 0x33200000,
  },
  flex: {
    id: 'flex', ledgerId: 'europa', productName: 'Ledger Flex', productIdMM: 0x70, legacyProductId: 0x0007,
    screen: { width: 480, height: 600 }, input: 'touch', speculosModel: 'flex', targetId: 0x33300000,
  },
  apex: {
    id: 'apex', ledgerId: 'apex', productName: 'Ledger Nano Gen5', productIdMM: 0x80, legacyProductId: 0x0008,
    screen: { width: 300, height: 400 }, input: 'touch', speculosModel: 'apex', targetId: 0x33400000,
  },
};

export function getModel(id: string): DeviceModel {
  const m = (MODELS as Record<string, DeviceModel | undefined>)[id];
  if (!m) throw new RangeError(`model: expected one of ${Object.keys(MODELS).join(', ')}, got "${id}"`);
  return m;
}

/** Identifies a model from a USB product id (app/dashboard pid `MMII`, or a legacy pid `000M`). */
export function modelFromProductId(pid: number): DeviceModel | undefined {
  const all = Object.values(MODELS);
  return pid <= 0xff ? all.find((m) => m.legacyProductId === pid) : all.find((m) => m.productIdMM === pid >> 8);
}
