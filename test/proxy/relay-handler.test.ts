import t from 'tap'
import type { Dispatcher } from 'undici'
import { RelayHandler, type RelayTarget } from '../../lib/proxy/relay-handler.js'

// The relay asserts undici's callback order (start, response start, data*, end | error) and
// turns a violation into one error, never a silent drop.

function rig () {
  const calls: string[] = []
  const aborted: Error[] = []
  const target: RelayTarget = {
    onUpstreamStart () { calls.push('start') },
    onUpstreamHeaders (_c, status) { calls.push(`headers ${status}`) },
    onUpstreamData (_c, chunk) { calls.push(`data ${chunk.length}`) },
    onUpstreamEnd () { calls.push('end') },
    onUpstreamError (err, started) { calls.push(`error ${(err as { code?: string }).code ?? err.message} started=${started}`) }
  }
  const controller = { abort (e: Error) { aborted.push(e) }, pause () {}, resume () {} } as unknown as Dispatcher.DispatchController
  return { relay: new RelayHandler(target), calls, aborted, controller }
}

t.test('the normal order passes through; 1xx responses are skipped', async (t) => {
  const { relay, calls, controller } = rig()
  relay.onRequestStart(controller)
  relay.onResponseStart(controller, 100, {})
  relay.onResponseStart(controller, 200, {})
  relay.onResponseData(controller, Buffer.alloc(3))
  relay.onResponseData(controller, Buffer.alloc(2))
  relay.onResponseEnd(controller)
  relay.onResponseError(controller, new Error('late close'))
  t.same(calls, ['start', 'headers 200', 'data 3', 'data 2', 'end'], 'an error after the end changes nothing')
})

t.test('an error before the start: nothing was written (started=false)', async (t) => {
  const { relay, calls } = rig()
  relay.onResponseError(undefined, Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))
  t.same(calls, ['error ECONNREFUSED started=false'])
})

t.test('out of order: one GW_ERR_PROXY_RELAY_ORDER error, the attempt aborted, later callbacks ignored', async (t) => {
  const { relay, calls, aborted, controller } = rig()
  relay.onRequestStart(controller)
  relay.onResponseData(controller, Buffer.alloc(1))
  relay.onResponseEnd(controller)
  relay.onResponseError(controller, new Error('x'))
  t.same(calls, ['start', 'error GW_ERR_PROXY_RELAY_ORDER started=true'])
  t.equal(aborted.length, 1)
  const twice = rig()
  twice.relay.onRequestStart(twice.controller)
  twice.relay.onRequestStart(twice.controller)
  t.same(twice.calls, ['start', 'error GW_ERR_PROXY_RELAY_ORDER started=true'])
  const upgrade = rig()
  upgrade.relay.onRequestStart(upgrade.controller)
  upgrade.relay.onRequestUpgrade(upgrade.controller)
  t.same(upgrade.calls, ['start', 'error GW_ERR_PROXY_RELAY_ORDER started=true'], 'an upgrade is never expected')
})
