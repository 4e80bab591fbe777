#!/usr/bin/env node
// Runs before `npm start` and `npm test` (npm's pre-scripts): on a fresh clone, installs the locked
// dependencies first, so the README's two commands work with nothing else typed. Plain Node, no
// dependencies, since none may be installed yet.
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'

const marker = 'node_modules/.package-lock.json'
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs
if (stale) {
  process.stderr.write('eas-gateway: installing dependencies (npm ci)…\n')
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' })
  if (r.status !== 0) {
    process.stderr.write('eas-gateway: npm ci failed; run it by hand to see why\n')
    process.exitCode = r.status ?? 1
  }
}
