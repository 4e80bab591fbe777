import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// The readers are tolerant by design, so their fixtures must be real configs: every nginx and
// HAProxy file the tests and examples read is checked by the vendor's own tool. Files under
// invalid/ must be refused by it (they test GW0012).
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync)
const HAPROXY = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find(existsSync)

function find (dir: string, ext: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? find(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [])
}

/** Top-level nginx configs: include fragments (sites/, snippets/, conf.d/) are checked through their main file; bigip.conf is F5 tmsh. */
const isMain = (f: string): boolean => !/\/(sites|snippets|conf\.d)\//.test(f) && !/\/bigip[^/]*$/.test(f)
const nginxFiles = [...find(join(ROOT, 'test/fixtures/vendor/nginx'), '.conf'), ...find(join(ROOT, 'examples'), '.conf')].filter(isMain)
const haproxyFiles = [...find(join(ROOT, 'test/fixtures/vendor/haproxy'), '.cfg'), ...find(join(ROOT, 'examples'), '.cfg')]

t.test('nginx -t accepts every nginx fixture and refuses the invalid ones', { skip: NGINX === undefined ? 'nginx is not installed (apt-get install nginx-light, or run .ci/run)' : false }, async (t) => {
  t.ok(nginxFiles.length >= 5, 'found the fixtures')
  for (const f of nginxFiles) {
    const r = spawnSync(NGINX as string, ['-t', '-q', '-e', '/dev/null', '-c', f], { encoding: 'utf8', timeout: 10_000 })
    const invalid = f.includes('/invalid/')
    t.equal(r.status === 0, !invalid, `${relative(ROOT, f)}: ${invalid ? 'refused' : 'accepted'} ${r.stderr.trim()}`)
  }
})

t.test('haproxy -c accepts every HAProxy fixture and refuses the invalid ones', { skip: HAPROXY === undefined ? 'haproxy is not installed (apt-get install haproxy, or run .ci/run)' : false }, async (t) => {
  t.ok(haproxyFiles.length >= 3, 'found the fixtures')
  for (const f of haproxyFiles) {
    const r = spawnSync(HAPROXY as string, ['-c', '-q', '-f', f], { encoding: 'utf8', timeout: 10_000 })
    const invalid = f.includes('/invalid/')
    t.equal(r.status === 0, !invalid, `${relative(ROOT, f)}: ${invalid ? 'refused' : 'accepted'} ${r.stderr.trim()}`)
  }
})
