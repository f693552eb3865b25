#!/usr/bin/env node
// Entry point: runs the compiled CLI (npm run build). Kept as plain JS so it needs no loader.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('lifecheck: not built yet; run `make build` (or `npm run build`) first\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
