#!/usr/bin/env node
// The command line, compiled: `npm run build` writes dist/ (npm runs it through `prepare` on `npm ci`
// in a clone and before packing). From a clone's sources, `node --import tsx cli/main.ts` runs the same.
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err;
  console.error('taproot-hw: dist/cli/main.js is missing: run `npm run build` in the package folder');
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
