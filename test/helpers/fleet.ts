import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { startPingGateway } from './ping-gateway.js'
import type { TestRedis } from './redis-server.js'
import { mergeTree, type ConfigTree, type Teardown, type TestGateway } from './start-gateway.js'
import { until } from './until.js'

/** Gateways sharing one Redis, and a plain client on it for the test's own look. */
export interface TestFleet {
  readonly gateways: readonly TestGateway[]
  readonly keyPrefix: string
  /** A test-side client (closed at teardown). */
  readonly client: Redis
  /** Resolves once every gateway is subscribed to the fleet's Ping channel. */
  subscribed (timeoutMs?: number): Promise<void>
}

/**
 * Starts `n` Ping gateways (see startPingGateway) with `state.redis` on `redis` and a key prefix of
 * their own, and waits until each is connected and subscribed.
 */
export async function startFleet (t: Teardown, n: number, upstreamUrl: string, redis: TestRedis, over: ConfigTree = {}): Promise<TestFleet> {
  const keyPrefix = `test-${randomBytes(4).toString('hex')}:`
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 })
  client.on('error', () => { /* the tests kill Redis on purpose */ })
  t.teardown(() => { client.disconnect() })
  const gateways: TestGateway[] = []
  for (let i = 0; i < n; i++) {
    gateways.push(await startPingGateway(t, upstreamUrl, mergeTree({ state: { redis: { url: redis.url, keyPrefix } } }, over)))
  }
  const subscribed = async (timeoutMs = 5000): Promise<void> => {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const r = await client.pubsub('NUMSUB', `${keyPrefix}pings`).catch(() => []) as [string, number] | []
      if (Number(r[1] ?? 0) >= n) break
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${n} subscribers`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    for (const g of gateways) await until(() => g.gateway.sharedUp === true, 'redis connected', timeoutMs)
  }
  await subscribed()
  return { gateways, keyPrefix, client, subscribed }
}
