import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * Copies the checkout's tracked files to `dir` (what a fresh clone has: no dist/) and links its
 * node_modules, so a test can run npm scripts that build (npm pack, npm start) without rewriting
 * the dist/ that tests running beside it execute. Returns the number of files copied.
 */
export function cleanCopy (root: string, dir: string): number {
  const tracked = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).stdout.split('\0').filter((f) => f !== '' && existsSync(join(root, f)))
  for (const f of tracked) {
    mkdirSync(dirname(join(dir, f)), { recursive: true })
    copyFileSync(join(root, f), join(dir, f))
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  return tracked.length
}
