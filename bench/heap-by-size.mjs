// Shared by bench/run.mjs (--profile) and bench/held-heap.mjs.

/**
 * Self size and count per (node type, constructor / closure name) of a V8 heap snapshot (the
 * parsed .heapsnapshot JSON). Returns the map and the total self size.
 */
export function heapBySize (snap) {
  const meta = snap.snapshot.meta
  const F = meta.node_fields.length
  const iType = meta.node_fields.indexOf('type')
  const iName = meta.node_fields.indexOf('name')
  const iSize = meta.node_fields.indexOf('self_size')
  const types = meta.node_types[0]
  const { nodes, strings } = snap
  const by = new Map()
  let total = 0
  for (let i = 0; i < nodes.length; i += F) {
    const type = types[nodes[i + iType]]
    const name = strings[nodes[i + iName]]
    let key
    if (type === 'object') key = name
    else if (type === 'closure') key = `(closure) ${name || '(anonymous)'}`
    else if (type === 'string' || type === 'concatenated string' || type === 'sliced string') key = '(string)'
    else if (type === 'code') key = '(code)'
    else if (type === 'number') key = '(number)'
    else key = `(${type}) ${name.length > 60 ? name.slice(0, 60) + '…' : name}`
    const e = by.get(key) ?? { count: 0, size: 0 }
    e.count++
    e.size += nodes[i + iSize]
    total += nodes[i + iSize]
    by.set(key, e)
  }
  return { by, total }
}
