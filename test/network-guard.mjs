// Tests reach loopback only, by a mechanism rather than by convention (issue 9 item 6): loaded with
// `--import` before any test, it checks every socket connect (net, tls, http, fetch and undici all go
// through net.Socket#connect) and every dns.lookup in the process. A non-loopback address, or a name
// other than localhost (which would ask a DNS server), fails with ERR_TEST_NETWORK_BLOCKED and one line
// on stderr, even where the caller swallows the error. Plain JavaScript: also loadable via NODE_OPTIONS.
import dns from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'

const isLoopback = (address) => net.isIPv4(address) ? address.startsWith('127.') : address === '::1' || /^::ffff:127\./i.test(address)
/** Names answered from the hosts file, never by a DNS server (RFC 6761 §6.3). */
const isLocalName = (name) => /^(.+\.)?localhost\.?$/i.test(name)

function refusal (what) {
  const error = new Error(`network guard: ${what}; tests may reach loopback addresses only (test/network-guard.mjs)`)
  error.code = 'ERR_TEST_NETWORK_BLOCKED'
  process.stderr.write(`${error.message}\n`)
  return error
}

/** `lookup` whose answers must all be loopback addresses. */
function loopbackOnly (lookup) {
  return function checkedLookup (hostname, options, callback) {
    if (typeof options === 'function') { callback = options; options = {} }
    lookup(hostname, options, (error, address, family) => {
      if (error) { callback(error, address, family); return }
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address]
      const outside = addresses.find((candidate) => !isLoopback(candidate))
      if (outside === undefined) callback(null, address, family)
      else callback(refusal(`connection to ${hostname} (${outside}) refused`))
    })
  }
}

function refuseName (name) {
  return net.isIP(name) === 0 && !isLocalName(name) ? refusal(`DNS lookup of "${name}" refused`) : undefined
}

const systemLookup = dns.lookup
dns.lookup = function guardedLookup (hostname, options, callback) {
  if (typeof options === 'function') { callback = options; options = {} }
  const refused = refuseName(String(hostname))
  if (refused !== undefined) { process.nextTick(callback, refused); return {} }
  return loopbackOnly(systemLookup)(hostname, options, callback)
}

const systemPromisesLookup = dns.promises.lookup
dns.promises.lookup = async function guardedPromisesLookup (hostname, options) {
  const refused = refuseName(String(hostname))
  if (refused !== undefined) throw refused
  const answer = await systemPromisesLookup(hostname, options)
  const outside = (Array.isArray(answer) ? answer : [answer]).find((entry) => !isLoopback(entry.address))
  if (outside !== undefined) throw refusal(`connection to ${hostname} (${outside.address}) refused`)
  return answer
}
syncBuiltinESMExports()

// net.connect(options | port[, host] | path[, callback]); net.createConnection passes its arguments
// already normalised, as an array whose first item is the options object.
const systemConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function guardedConnect (...args) {
  let options
  let replace
  if (Array.isArray(args[0])) {
    options = args[0][0]
    replace = (next) => { args[0][0] = next }
  } else if (typeof args[0] === 'object' && args[0] !== null) {
    options = args[0]
    replace = (next) => { args[0] = next }
  } else if (typeof args[0] === 'number' || /^\d+$/.test(String(args[0]))) {
    options = { port: args[0], host: typeof args[1] === 'string' ? args[1] : undefined }
    const callback = args.find((arg) => typeof arg === 'function')
    replace = (next) => { args.splice(0, args.length, next, ...(callback === undefined ? [] : [callback])) }
  }
  if (options === undefined || options.path) return systemConnect.apply(this, args) // a pipe or Unix socket (http passes path: null)
  const host = options.host ?? 'localhost'
  if (net.isIP(host) !== 0) {
    if (!isLoopback(host)) {
      const error = refusal(`connection to ${host} refused`)
      process.nextTick(() => this.destroy(error))
      return this
    }
    return systemConnect.apply(this, args)
  }
  // A name: whatever resolves it (dns.lookup, or a test's own resolver) must answer loopback addresses.
  replace({ ...options, lookup: loopbackOnly(options.lookup ?? dns.lookup) })
  return systemConnect.apply(this, args)
}
