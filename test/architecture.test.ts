// The import rules of docs/architecture.md §2, checked on every import specifier in the tree: the
// wire layer stays pure, host and emulator never reach into each other, the Taproot Assets app never
// reaches into the Bitcoin app's folders, no library layer (host/ included) touches node:fs, and
// nothing imports tests.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PSBT_GLOBAL, PSBT_IN, PSBT_OUT } from '../bitcoin/psbt-fields.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Which top-level folders (or files) each folder may import from. */
const ALLOWED: Record<string, readonly string[]> = {
  apdu: ['apdu'],
  bitcoin: ['apdu', 'bitcoin'],
  assets: ['apdu', 'bitcoin', 'assets'],
  devices: ['apdu', 'devices'],
  host: ['apdu', 'bitcoin', 'assets', 'devices', 'host'],
  // The service routes ciphertexts (apdu, bitcoin only); its party client drives signers through host.
  coordinator: ['apdu', 'bitcoin', 'host', 'coordinator'],
  // The emulator sees device models and pure framing, never a host transport.
  emulator: ['apdu', 'bitcoin', 'assets', 'devices/models.ts', 'devices/framing', 'emulator'],
  // The test harness is public (users put it in their own suites): it may use everything.
  harness: ['apdu', 'bitcoin', 'assets', 'devices', 'host', 'emulator', 'harness'],
  cli: ['apdu', 'bitcoin', 'assets', 'devices', 'host', 'emulator', 'harness', 'coordinator', 'cli'],
};

/**
 * Files are the CLI's business: the library layers never touch node:fs (a caller's paths and files
 * stay with the caller). The harness may, to launch Speculos with an ELF.
 */
const NO_FS = ['apdu', 'bitcoin', 'assets', 'devices', 'host', 'emulator'];
const FS_PACKAGES = /^(node:)?fs(\/promises)?$/;

const BITCOIN_APP = ['apdu/bitcoin-app', 'host/bitcoin-app', 'emulator/apps/bitcoin'];
const TAP_APP = ['apdu/tap-app', 'host/tap-app', 'emulator/apps/tap'];
/**
 * Within the layers: the Taproot Assets app stands beside the Bitcoin app, never on it (its wire
 * format, host client and emulated app import nothing from the Bitcoin app's folders), and what
 * both apps use lives in shared places that import neither app. Barrels (index.ts) may list both.
 */
const FORBIDDEN: readonly (readonly [from: string, to: readonly string[]])[] = [
  ...TAP_APP.map((tap) => [tap, BITCOIN_APP] as const),
  ['apdu/command-spec.ts', [...BITCOIN_APP, ...TAP_APP]],
  ['apdu/app-and-version.ts', [...BITCOIN_APP, ...TAP_APP]],
  ['apdu/yields.ts', [...BITCOIN_APP, ...TAP_APP]],
  ['host/client-commands.ts', [...BITCOIN_APP, ...TAP_APP]],
  ['emulator/apps/common', [...BITCOIN_APP, ...TAP_APP]],
  // The device (OS dispatch, command runner, prompts, servers) runs whatever apps it is given.
  ['emulator/device.ts', ['emulator/apps']],
  ['emulator/os.ts', ['emulator/apps']],
  ['emulator/command-runner.ts', ['emulator/apps']],
  ['emulator/prompts.ts', ['emulator/apps']],
  ['emulator/server', ['emulator/apps']],
];

const under = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

/** Packages that do I/O may not appear in the pure layers. */
const PURE = ['apdu', 'bitcoin', 'assets', 'devices/framing', 'devices/models.ts'];
const IO_PACKAGES = /^(node:|fs$|net$|http$|child_process$|@ledgerhq\/)/;

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

function specifiers(code: string): string[] {
  const out: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of code.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

const files = Object.keys(ALLOWED).flatMap((top) => {
  try {
    return [...sources(join(ROOT, top))];
  } catch {
    return [];
  }
});

describe('import rules (docs/architecture.md)', () => {
  it('finds the source folders', () => {
    expect(files.some((f) => f.includes(`${join(ROOT, 'apdu')}`))).toBe(true);
  });

  it.each(files.map((f) => [relative(ROOT, f)]))('%s imports only what its layer may', (file) => {
    const top = file.split('/')[0]!;
    const code = readFileSync(join(ROOT, file), 'utf8');
    for (const spec of specifiers(code)) {
      if (spec.startsWith('.')) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
        expect(target.startsWith('test/') || target.startsWith('scripts/'), `${file} imports ${spec}`).toBe(false);
        const ok = ALLOWED[top]!.some((allowed) => target === allowed || target.startsWith(`${allowed}/`));
        expect(ok, `${file} may not import ${target}`).toBe(true);
        for (const [from, to] of FORBIDDEN)
          if (under(file, from)) for (const t of to) expect(under(target, t), `${file} may not import ${target} (${t})`).toBe(false);
      } else {
        if (PURE.some((p) => file === p || file.startsWith(`${p}/`))) expect(IO_PACKAGES.test(spec), `${file} is pure but imports ${spec}`).toBe(false);
        if (NO_FS.includes(top)) expect(FS_PACKAGES.test(spec), `${file} imports ${spec}: files belong in cli/`).toBe(false);
      }
    }
  });
});

/**
 * Citations stay inside the repository: no file of the source folders, scripts/ or test/ points at
 * the research notes the project started from (they are not part of a clone), and every
 * `docs/NAME.md §N` names a document of docs/ and a numbered section it has (docs/architecture.md §9).
 */
const CITING = [...Object.keys(ALLOWED), 'scripts', 'test'];
const OUTSIDE = /\.\.\/shared\b|\/work\/|\b(?:PROTOCOLS|ARCHITECTURE|ECOSYSTEM|FIRMWARE)\.md\b/;
const SECTION_CITATION = /\bdocs\/([\w.-]+\.md)((?:,? (?:and )?§ ?[\d.]+(?:[–-][\d.]+)?)+)/g;

function* textFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* textFiles(path);
    else if (/\.(ts|js|mjs|md|json|txt|sh|c|h)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

function sectionsOf(doc: string): Set<string> {
  return new Set([...readFileSync(join(ROOT, 'docs', doc), 'utf8').matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)].map((m) => m[1]!));
}

describe('citations (docs/architecture.md §9)', () => {
  const cited = CITING.flatMap((top) => [...textFiles(join(ROOT, top))]).filter((f) => !f.includes(`${join(ROOT, 'test', 'vectors')}/`) || /README\.md$|\.txt$/.test(f));

  it('finds the files', () => {
    expect(cited.length).toBeGreaterThan(100);
  });

  it('no file cites a document outside the repository', () => {
    const outside = cited.flatMap((f) => {
      const lines = readFileSync(f, 'utf8').split('\n');
      return lines.flatMap((line, i) => (OUTSIDE.test(line) ? [`${relative(ROOT, f)}:${i + 1}: ${line.trim().slice(0, 120)}`] : []));
    });
    expect(outside).toEqual([]);
  });

  it('every "docs/NAME.md §N" names a document of docs/ and one of its numbered sections', () => {
    const docs = new Set(readdirSync(join(ROOT, 'docs')));
    const broken: string[] = [];
    for (const f of cited) {
      for (const m of readFileSync(f, 'utf8').matchAll(SECTION_CITATION)) {
        const doc = m[1]!;
        if (!docs.has(doc)) {
          broken.push(`${relative(ROOT, f)}: ${m[0]} (no such document)`);
          continue;
        }
        const have = sectionsOf(doc);
        for (const [, from, to] of m[2]!.matchAll(/§ ?([\d.]+?)\.?(?:[–-]([\d.]+))?(?=[,\s]|$)/g))
          for (const n of to === undefined ? [from!] : [from!, from!.replace(/[^.]+$/, to.split('.').pop()!)]) if (!have.has(n)) broken.push(`${relative(ROOT, f)}: ${m[0]} (no section ${n})`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/**
 * One definition per wire format (docs/architecture.md §2): PSBT key types are rows of their tables
 * (bitcoin/psbt-fields.ts for the BIP key types, assets/vpsbt/fields.ts for tapd's custom vPSBT ones,
 * whose standard rows name the Bitcoin table's), so no source or test file names one as a constant of
 * its own: neither a `*PSBT* = 0x..` constant nor a member or constant named after a BIP field (in any
 * case convention, with or without its PSBT_<MAP>_ prefix) holding that field's number. And no code
 * outside the vPSBT table compares a key's type (a `key[0]`) with a literal of tapd's custom range
 * 0x70–0x7f. Comments and messages may cite field numbers.
 */
const PSBT_KEY_CONSTANT = /\b\w*PSBT\w*\s*=\s*0x[0-9a-f]+\b/i;
const CUSTOM_KEY_COMPARISON = /\b(?:key|k)\[0\]!?\s*[!=]==?\s*0x7[0-9a-f]\b|\b0x7[0-9a-f]\s*[!=]==?\s*(?:\w+\.)?(?:key|k)\[0\]/i;
const NAMED_NUMBER = /\b([A-Za-z_]\w*)['"]?\s*[:=]\s*(0x[0-9a-f]+|\d+)\b/gi;
const VPSBT_TABLE = 'assets/vpsbt/fields.ts';
const PSBT_TABLE = 'bitcoin/psbt-fields.ts';

/** A BIP field's name as any convention writes it: PSBT_IN_TAP_KEY_SIG, TAP_KEY_SIG and tapKeySig are all `tapkeysig`. */
const fieldName = (name: string): string =>
  name
    .toLowerCase()
    .replace(/_/g, '')
    .replace(/^psbt(?:global|in|out)?/, '');
const BIP_FIELDS = new Map<string, Set<number>>();
for (const table of [PSBT_GLOBAL, PSBT_IN, PSBT_OUT])
  for (const [name, keyType] of Object.entries(table)) BIP_FIELDS.set(fieldName(name), (BIP_FIELDS.get(fieldName(name)) ?? new Set()).add(keyType));

/** A line that defines a BIP field's key type again: a name of the Bitcoin table given that field's number. */
const copiesBipField = (line: string): boolean =>
  [...line.matchAll(NAMED_NUMBER)].some(([, name, value]) => BIP_FIELDS.get(fieldName(name!))?.has(Number(value)) === true);
const definesKeyType = (line: string): boolean => PSBT_KEY_CONSTANT.test(line) || CUSTOM_KEY_COMPARISON.test(line) || copiesBipField(line);

const checked = [...files, ...sources(join(ROOT, 'test')), ...sources(join(ROOT, 'scripts'))];

/** The lines of `code` with comments and string literals blanked, so only code is matched. */
function codeLines(code: string): string[] {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .split('\n')
    .map((line) => line.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''").replace(/\/\/.*$/, ''));
}

describe('wire tables (docs/architecture.md §2)', () => {
  it('no PSBT key type is defined or compared as a literal outside its table', () => {
    const found = checked.flatMap((f) => {
      const file = relative(ROOT, f);
      if (file === VPSBT_TABLE || file === PSBT_TABLE) return [];
      return codeLines(readFileSync(f, 'utf8')).flatMap((line, i) => (definesKeyType(line) ? [`${file}:${i + 1}: ${line.trim().slice(0, 120)}`] : []));
    });
    expect(found).toEqual([]);
  });

  it.each([
    ['const PSBT_IN_MUSIG2_PUB_NONCE = 0x1b;', true],
    ['if (f.key[0]! === 0x76) return;', true],
    ['export const PSBT_IN = { WITNESS_UTXO: 0x01, SIGHASH_TYPE: 0x03 } as const;', true],
    ['  NON_WITNESS_UTXO: 0,', true],
    ['  tapBip32Derivation: 0x16,', true],
    ['const TAP_KEY_SIG = 0x13;', true],
    ['  tapBip32Derivation: PSBT_IN.TAP_BIP32_DERIVATION,', false],
    ['const version = 2;', false],
    ['  amount: 5000n,', false],
    ["throw new Error('expected field 0x76'); // key[0] === 0x76", false],
    ['if (key[0] !== 0x02 && key[0] !== 0x03) throw e;', false],
    ['if (script[0] === 0x76) return;', false],
  ] as const)('the rule sees what it forbids: %s (%s)', (code, forbidden) => {
    expect(codeLines(code).some(definesKeyType)).toBe(forbidden);
  });
});

describe('public API (package.json exports)', () => {
  it('the main entry has what integrators use, and leaves framing, transports, transcripts and servers to the other entries', async () => {
    const main = await import('../host/index.ts');
    for (const name of ['BitcoinAppClient', 'TapAppClient', 'openTransport', 'walletPolicy', 'runMusigSession', 'planShape', 'shapeToPolicy', 'isTaprootHwError', 'ERROR_CODES', 'TransportError', 'DeviceStatusError', 'WrongAppError'])
      expect(main, name).toHaveProperty(name);
    for (const name of ['encodeHidFrames', 'HidReassembler', 'SpeculosTcpTransport', 'NodeHidTransport', 'ReplayTransport', 'parseTranscript', 'startServers', 'ClientCommandInterpreter', 'readPsbtArgument', 'FilePolicyHmacStore'])
      expect(main, name).not.toHaveProperty(name);
    const devices = await import('../devices/index.ts');
    for (const name of ['encodeHidFrames', 'SpeculosTcpTransport', 'NodeHidTransport', 'ReplayTransport', 'openTransport', 'MODELS']) expect(devices, name).toHaveProperty(name);
  });

  it('every export of package.json names a built file of a source entry point', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; default: string }>; bin: Record<string, string> };
    for (const [entry, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      const source = target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
      expect(target.types, entry).toBe(target.default.replace(/\.js$/, '.d.ts'));
      expect(readdirSync(join(ROOT, dirname(source))), entry).toContain(source.split('/').pop());
    }
  });
});
