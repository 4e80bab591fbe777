import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse, parseAllDocuments } from 'yaml'
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule'
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Service } from 'kubernetes-models/v1/Service'
import { cli } from '../../lib/cli/index.js'
import { loadCatalog, loadGatewayConfig, parseDuration } from '../../lib/config/index.js'
import { lintTopology } from '../../lib/lint/index.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BASE = join(ROOT, 'deploy', 'kubernetes')

type Doc = { kind: string, metadata: { name: string }, [k: string]: unknown }

// The validators of kubernetes-models are compiled from the Kubernetes (and Prometheus Operator)
// OpenAPI JSON schemas; validate() throws with the JSON path of the first violation.
const VALIDATORS: Record<string, (d: Doc) => void> = {
  ConfigMap: (d) => { new ConfigMap(d as never).validate() },
  Service: (d) => { new Service(d as never).validate() },
  Deployment: (d) => { new Deployment(d as never).validate() },
  PodDisruptionBudget: (d) => { new PodDisruptionBudget(d as never).validate() },
  ServiceMonitor: (d) => { new ServiceMonitor(d as never).validate() },
  PrometheusRule: (d) => { new PrometheusRule(d as never).validate() }
}

/**
 * The base as `kubectl kustomize` renders it; without kubectl, the resources the kustomization
 * lists plus the ConfigMap its generator makes (labels and name suffixes left out).
 */
function render (): { docs: Doc[], renderer: string } {
  const r = spawnSync('kubectl', ['kustomize', BASE], { encoding: 'utf8', timeout: 60_000 })
  if (r.status === 0) return { docs: parseAllDocuments(r.stdout).map((d) => d.toJS() as Doc), renderer: 'kubectl kustomize' }
  const k = parse(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8')) as { resources: string[], configMapGenerator: { name: string, files: string[] }[] }
  const docs = k.resources.map((f) => parse(readFileSync(join(BASE, f), 'utf8')) as Doc)
  for (const g of k.configMapGenerator) {
    docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data: Object.fromEntries(g.files.map((f) => [f, readFileSync(join(BASE, f), 'utf8')])) })
  }
  return { docs, renderer: 'built-in fallback (kubectl not found)' }
}

const { docs, renderer } = render()
const byKind = (kind: string): Doc => {
  const d = docs.find((x) => x.kind === kind)
  if (d === undefined) throw new Error(`no ${kind} in the base`)
  return d
}
const gatewayYaml = readFileSync(join(BASE, 'gateway.yaml'), 'utf8')
const gw = loadGatewayConfig(gatewayYaml, 'gateway.yaml').config

t.test(`every resource validates against the Kubernetes JSON schemas (rendered with ${renderer})`, async (t) => {
  t.same(docs.map((d) => d.kind).sort(), ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'ServiceMonitor'])
  for (const d of docs) {
    const validate = VALIDATORS[d.kind]
    if (validate === undefined) { t.fail(`no validator for ${d.kind}`); continue }
    t.doesNotThrow(() => { validate(d) }, `${d.kind} ${d.metadata.name}`)
  }
})

t.test('the validators do refuse broken resources', async (t) => {
  const deployment = structuredClone(byKind('Deployment')) as unknown as { spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } } }
  const port = deployment.spec.template.spec.containers[0]?.ports[0]
  if (port !== undefined) port.containerPort = 'eas'
  t.throws(() => { VALIDATORS.Deployment?.(deployment as unknown as Doc) }, /containerPort/)
  t.throws(() => { VALIDATORS.ServiceMonitor?.({ kind: 'ServiceMonitor', apiVersion: 'monitoring.coreos.com/v1', metadata: { name: 'x' }, spec: { endpoints: 'admin' } }) })
})

interface Container {
  args: string[],
  env: { name: string, value: string }[],
  ports: { name: string, containerPort: number }[]
  readinessProbe: { httpGet: { path: string, port: string } },
  livenessProbe: { httpGet: { path: string, port: string } }
  resources: { requests: Record<string, string>, limits: Record<string, string> }
  securityContext: { readOnlyRootFilesystem: boolean, allowPrivilegeEscalation: boolean, capabilities: { drop: string[] } }
  volumeMounts: { name: string, mountPath: string }[]
}
interface PodSpec {
  terminationGracePeriodSeconds: number,
  securityContext: { runAsNonRoot: boolean, runAsUser: number }
  containers: Container[],
  volumes: { name: string, projected?: { sources: { configMap?: { name: string }, secret?: { name: string, items: { key: string, path: string }[] } }[] } }[]
}

t.test('the Deployment: probes on the configured admin port, non-root, read-only root, resources, config mounted', async (t) => {
  if (gw === undefined) { t.fail('deploy/kubernetes/gateway.yaml does not load'); return }
  const pod = (byKind('Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec
  const c = pod.containers[0]
  if (c === undefined) { t.fail('no container'); return }
  const portOf = (name: string): number | undefined => c.ports.find((p) => p.name === name)?.containerPort
  t.equal(portOf('admin'), gw.admin.listen.port, 'containerPort admin = admin.listen.port')
  t.equal(portOf('eas'), gw.listen.port, 'containerPort eas = listen.port')
  t.not(gw.admin.listen.host, '127.0.0.1', 'the admin listener is reachable by the kubelet and Prometheus')
  t.same(c.readinessProbe.httpGet, { path: '/readyz', port: 'admin' })
  t.same(c.livenessProbe.httpGet, { path: '/healthz', port: 'admin' })
  t.equal(pod.securityContext.runAsNonRoot, true)
  t.not(pod.securityContext.runAsUser, 0)
  t.equal(c.securityContext.readOnlyRootFilesystem, true)
  t.equal(c.securityContext.allowPrivilegeEscalation, false)
  t.same(c.securityContext.capabilities.drop, ['ALL'])
  t.ok(c.resources.requests.cpu !== undefined && c.resources.requests.memory !== undefined, 'cpu and memory requests')
  t.ok(c.resources.limits.memory !== undefined, 'a memory limit')
  const configEnv = c.env.find((e) => e.name === 'EAS_GATEWAY_CONFIG')?.value
  const mount = c.volumeMounts.find((m) => m.name === 'config')?.mountPath
  t.equal(configEnv, `${mount}/gateway.yaml`, 'EAS_GATEWAY_CONFIG names the mounted file')
  const sources = pod.volumes.find((v) => v.name === 'config')?.projected?.sources ?? []
  t.equal(sources.find((s) => s.configMap !== undefined)?.configMap?.name, byKind('ConfigMap').metadata.name, 'the volume mounts the generated ConfigMap')
  // The admin listener binds 0.0.0.0: /devices and /trace need the token from the Secret (issue #13).
  const secret = sources.find((s) => s.secret !== undefined)?.secret
  t.equal(secret?.name, 'eas-gateway-admin', 'the admin token comes from a Secret')
  t.same(secret?.items.map((i) => i.path), [gw.admin.auth?.tokenFile], 'projected next to gateway.yaml as admin.auth.tokenFile names it')
  t.ok(pod.terminationGracePeriodSeconds * 1000 > gw.timeouts.drainGrace, 'terminationGracePeriodSeconds above drainGrace')
})

t.test('gateway lint GW0105 on the Deployment\'s numbers: drainGrace below terminationGracePeriodSeconds', async (t) => {
  const pod = (byKind('Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec
  const catalogFile = join(ROOT, 'policies', 'timeouts-catalog.yaml')
  const catalog = loadCatalog(readFileSync(catalogFile, 'utf8'), catalogFile).catalog
  if (catalog === undefined) { t.fail('shipped catalog does not load'); return }
  const lint = async (grace: string): Promise<string[]> => {
    const text = `server: { kind: exchange }\nhops:\n  - { name: gateway, kind: eas-gateway, config: gateway.yaml, terminationGrace: ${grace} }\n`
    const r = await lintTopology({ file: join(BASE, 'k8s-topology.yaml'), text, catalog, readFile: async (p) => await readFile(p, 'utf8') })
    return r.findings.filter((f) => f.severity === 'error').map((f) => f.code)
  }
  t.same(await lint(`${pod.terminationGracePeriodSeconds}s`), [], `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds}: no error finding`)
  const drain = parseDuration('30s')
  t.same(await lint(`${'ms' in drain ? drain.ms / 1000 : 0}s`), ['GW0105'], 'the same check refuses a grace equal to drainGrace')
})

t.test('the ConfigMap\'s gateway.yaml passes gateway check', async (t) => {
  let err = ''
  // The Secret's file exists only in the pod: a stand-in token where the projection puts it.
  const token = join(BASE, 'admin-token')
  const code = await cli(['check', '-c', join(BASE, 'gateway.yaml')], { stdout: () => {}, stderr: (s) => { err += s }, readFile: async (p) => p === token ? 'stand-in-token\n' : await readFile(p, 'utf8'), cwd: ROOT, env: {} })
  t.equal(code, 0, err)
  const cm = byKind('ConfigMap') as unknown as { data: Record<string, string> }
  t.equal(cm.data['gateway.yaml'], gatewayYaml, 'the ConfigMap carries the file')
})

t.test('the PrometheusRule carries exactly the groups of policies/prometheus/eas-gateway-rules.yml', async (t) => {
  const rules = parse(readFileSync(join(ROOT, 'policies', 'prometheus', 'eas-gateway-rules.yml'), 'utf8')) as unknown
  t.same((byKind('PrometheusRule') as unknown as { spec: unknown }).spec, rules)
})

t.test('the ServiceMonitor scrapes the Service port that targets the admin listener', async (t) => {
  const sm = byKind('ServiceMonitor') as unknown as { spec: { endpoints: { port: string, path: string }[] } }
  const svc = byKind('Service') as unknown as { spec: { ports: { name: string, targetPort: string }[] } }
  const ep = sm.spec.endpoints[0]
  t.equal(ep?.path, '/metrics')
  t.equal(svc.spec.ports.find((p) => p.name === ep?.port)?.targetPort, 'admin')
})
