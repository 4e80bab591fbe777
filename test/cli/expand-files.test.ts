import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { expandFiles } from '../../lib/cli/expand-files.js'

t.test('globs: *, ?, [..], ** at any depth; hidden and node_modules skipped; plain paths and - kept', async (t) => {
  const dir = t.testdir({})
  for (const f of ['a.yaml', 'b.yaml', 'c.yml', 'sub/d.yaml', 'sub/deep/e.yaml', '.hidden/f.yaml', 'node_modules/g.yaml', 'sub/x1.yaml', 'sub/x2.yaml']) {
    mkdirSync(join(dir, f, '..'), { recursive: true })
    writeFileSync(join(dir, f), '')
  }
  const ok = async (...ops: string[]): Promise<string[]> => {
    const r = await expandFiles(ops, dir)
    if ('error' in r) throw new Error(r.error)
    return r.files
  }
  t.same(await ok('*.yaml'), ['a.yaml', 'b.yaml'])
  t.same(await ok('**/*.yaml'), ['a.yaml', 'b.yaml', 'sub/d.yaml', 'sub/deep/e.yaml', 'sub/x1.yaml', 'sub/x2.yaml'])
  t.same(await ok('sub/x?.yaml'), ['sub/x1.yaml', 'sub/x2.yaml'])
  t.same(await ok('sub/x[!1].yaml'), ['sub/x2.yaml'])
  t.same(await ok('[ab].yaml', 'c.yml'), ['a.yaml', 'b.yaml', 'c.yml'])
  t.same(await ok('.hidden/*.yaml'), ['.hidden/f.yaml'], 'a dot segment matches hidden entries')
  t.same(await ok('missing.yaml', '-', 'a.yaml', '*.yaml'), ['missing.yaml', '-', 'a.yaml', 'b.yaml'], 'plain paths and - kept; duplicates once')
  t.same(await ok(join(dir, 'sub', '*.yaml')), [join(dir, 'sub', 'd.yaml'), join(dir, 'sub', 'x1.yaml'), join(dir, 'sub', 'x2.yaml')], 'absolute patterns')
  t.same(await expandFiles(['nothing/*.yaml'], dir), { error: 'no file matches nothing/*.yaml' })
})
