import type { GatewayDeps } from '../../lib/proxy/index.js'
import { pingConfigTree } from './ping-device.js'
import { startGateway, type ConfigTree, type Teardown, type TestGateway } from './start-gateway.js'

/**
 * Starts a gateway in-process for the Ping tests: {@link startGateway} (real sockets on 127.0.0.1,
 * free ports, a fresh Registry, logs into a sink, drained at teardown) with the heartbeat bounds
 * of whole seconds of {@link pingConfigTree}, merged with `over`; `extra.clock` puts its requests
 * and sockets on a fake clock.
 */
export async function startPingGateway (t: Teardown, upstreamUrl: string, over: ConfigTree = {}, extra: Pick<GatewayDeps, 'clock'> = {}): Promise<TestGateway> {
  return await startGateway(t, upstreamUrl, pingConfigTree(over), {}, extra)
}
