import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readVendorConfig, type VendorRead } from '../../../lib/config/index.js'

// Envoy bootstraps and Kubernetes manifests (yaml), F5 bigip.conf (a small tmsh reader).
const DIR = fileURLToPath(new URL('../../fixtures/vendor/', import.meta.url))
const io = { readFile: async (p: string) => await readFile(p, 'utf8') }
async function read (kind: string, name: string, wanted: string[], match?: string): Promise<VendorRead> {
  const file = join(DIR, name)
  return await readVendorConfig(kind, file, await readFile(file, 'utf8'), wanted, match, io)
}
async function lineOf (name: string, needle: string): Promise<number> {
  return (await readFile(join(DIR, name), 'utf8')).split('\n').findIndex((l) => l.includes(needle)) + 1
}
const ENVOY = ['route.timeout', 'stream_idle_timeout', 'common_http_protocol_options.idle_timeout', 'request_timeout', 'connect_timeout', 'max_stream_duration']

t.test('Envoy: the route for the host and path, the route idle_timeout over the HCM stream_idle_timeout, the cluster', async (t) => {
  const r = await read('envoy', 'envoy/bootstrap.yaml', ENVOY, 'mail.example.com/Microsoft-Server-ActiveSync')
  t.same(r.diagnostics, [])
  const v = r.hop?.values
  t.match(v?.get('route.timeout'), { raw: '3660s', at: { line: await lineOf('envoy/bootstrap.yaml', 'timeout: 3660s'), col: 38 } })
  t.match(v?.get('stream_idle_timeout'), { raw: '3680s', at: { line: await lineOf('envoy/bootstrap.yaml', 'idle_timeout: { seconds') } }, 'the route overrides the HCM, {seconds} read')
  t.equal(v?.get('common_http_protocol_options.idle_timeout')?.raw, '7200s')
  t.equal(v?.get('connect_timeout')?.raw, '2s', 'the exchange cluster')
  t.equal(v?.get('request_timeout'), undefined)
  t.equal(r.hop?.block.line, await lineOf('envoy/bootstrap.yaml', 'safe_regex'))
  const web = await read('envoy', 'envoy/bootstrap.yaml', ENVOY, 'www.example.com/Microsoft-Server-ActiveSync')
  t.match(web.hop?.values.get('route.timeout'), { raw: '15s' }, 'another virtual host')
  t.equal(web.hop?.values.get('stream_idle_timeout')?.raw, '3700s', 'no route idle_timeout: the HCM one')
  t.match((await read('envoy', 'envoy/bootstrap.yaml', ENVOY, 'nomail.example.org')).diagnostics, [{ code: 'GW0013' }])
})

t.test('ingress-nginx: the Ingress that serves the path; its annotations over the ConfigMap', async (t) => {
  const names = ['proxy-read-timeout', 'proxy-send-timeout', 'proxy-connect-timeout', 'nginx.ingress.kubernetes.io/proxy-read-timeout']
  const r = await read('ingress-nginx', 'ingress-nginx/manifests.yaml', names, 'mail.example.com/Microsoft-Server-ActiveSync')
  t.same(r.diagnostics, [])
  t.match(r.hop?.values.get('proxy-read-timeout'), { raw: '3700', at: { line: await lineOf('ingress-nginx/manifests.yaml', 'proxy-read-timeout: "3700"') } })
  t.match(r.hop?.values.get('proxy-send-timeout'), { raw: '3700', at: { line: await lineOf('ingress-nginx/manifests.yaml', 'proxy-send-timeout: "3700"') } }, 'from the controller ConfigMap')
  t.equal(r.hop?.values.get('proxy-connect-timeout'), undefined)
  t.match(r.hop?.described, /Ingress activesync/)
  const owa = await read('ingress-nginx', 'ingress-nginx/manifests.yaml', names, 'mail.example.com/owa/x')
  t.equal(owa.hop?.values.get('proxy-read-timeout')?.raw, '30')
  t.match((await read('ingress-nginx', 'ingress-nginx/manifests.yaml', names, 'mail.example.com/Microsoft-Server-ActiveSyncX')).diagnostics, [{ code: 'GW0013' }], 'Prefix matches whole path elements')
})

t.test('F5 bigip.conf: profiles of the virtual, defaults-from chains, the shorter of client and server side', async (t) => {
  const r = await read('f5-tcp', 'bigip/bigip.conf', ['idle-timeout', 'keep-alive-interval'], 'vs_exchange_https')
  t.same(r.diagnostics, [])
  t.match(r.hop?.values.get('idle-timeout'), { raw: '2100', at: { line: await lineOf('bigip/bigip.conf', 'idle-timeout 2100'), col: 18 } }, 'serverside 2100 (via defaults-from) is shorter than clientside 2400')
  t.equal(r.hop?.values.get('keep-alive-interval')?.raw, '600')
  t.equal(r.hop?.block.line, await lineOf('bigip/bigip.conf', 'ltm virtual /Common/vs_exchange_https'))
  const l4 = await read('f5-fastl4', 'bigip/bigip.conf', ['idle-timeout'], '/Common/vs_eas_l4')
  t.equal(l4.hop?.values.get('idle-timeout')?.raw, 'indefinite')
  t.match((await read('f5-tcp', 'bigip/bigip.conf', ['idle-timeout'], 'vs_nope')).diagnostics, [{ code: 'GW0013', message: /no "ltm virtual" named vs_nope/ }])
  const broken = await readVendorConfig('f5-tcp', 'b.conf', 'ltm virtual /Common/x {\n  profiles {\n', ['idle-timeout'], undefined, io)
  t.match(broken.diagnostics, [{ code: 'GW0012', line: 2 }])
})

t.test('SEG web.config: easRequestTimeOut in appSettings, executionTimeout on httpRuntime; comments skipped', async (t) => {
  const r = await read('workspace-one-seg', 'seg/web.config', ['easRequestTimeOut', 'executionTimeout'])
  t.same(r.diagnostics, [])
  t.match(r.hop?.values.get('easRequestTimeOut'), { raw: '62', at: { line: await lineOf('seg/web.config', 'value="62"'), col: 41 }, key: { col: 15 } })
  t.match(r.hop?.values.get('executionTimeout'), { raw: '3900', at: { line: await lineOf('seg/web.config', 'httpRuntime'), col: 58 } })
  t.equal(r.hop?.described, 'configuration › httpRuntime')
  t.match((await readVendorConfig('workspace-one-seg', 'w.config', '<configuration><appSettings></configuration', ['executionTimeout'], undefined, io)).diagnostics, [{ code: 'GW0012' }])
  t.match((await readVendorConfig('workspace-one-seg', 'w.config', '<settings/>', ['executionTimeout'], undefined, io)).diagnostics, [{ code: 'GW0013' }])
})

t.test('Service of type LoadBalancer: the cloud idle-timeout annotation (Azure minutes, AWS Classic ELB seconds)', async (t) => {
  const az = await read('azure-lb', 'ingress-nginx/services.yaml', ['IdleTimeoutInMinutes'], 'ingress-nginx/ingress-nginx-controller')
  t.same(az.diagnostics, [])
  t.match(az.hop?.values.get('IdleTimeoutInMinutes'), { raw: '30', at: { line: await lineOf('ingress-nginx/services.yaml', 'azure-load-balancer-tcp-idle-timeout') } })
  const aws = await read('aws-elb', 'ingress-nginx/services.yaml', ['ConnectionSettings.IdleTimeout'])
  t.equal(aws.hop?.values.get('ConnectionSettings.IdleTimeout')?.raw, '3700', 'the first LoadBalancer Service, not the ClusterIP one')
  t.match((await read('azure-lb', 'ingress-nginx/services.yaml', ['IdleTimeoutInMinutes'], 'mail/internal')).diagnostics, [{ code: 'GW0013', message: /no Service of type LoadBalancer named mail\/internal/ }])
})
