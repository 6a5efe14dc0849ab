// Which addresses an IdP call may connect to (issue 5 item 8, security-checklist §6 item 5). Link-local
// and cloud metadata addresses are always refused: 169.254.169.254 and fd00:ec2::254 hand out the
// host's cloud credentials to whoever asks. Private and loopback addresses are allowed (IdPs are often
// internal) unless `denyPrivate`. Checked twice: on the URL's literal IP before any request, and on every
// address DNS answers, inside the socket's own lookup, so a name that rebinds to a refused address
// between a check and the connect is refused at connect time and no socket ever reaches it.
import dns from 'node:dns'
import net, { BlockList, type LookupFunction } from 'node:net'

export interface AddressPolicy {
  /** Also refuse 10/8, 172.16/12, 192.168/16, 127/8, ::1 and fc00::/7 (PORTAL_IDP_DENY_PRIVATE). */
  readonly denyPrivate: boolean
}

function list (entries: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']>): BlockList {
  const blocks = new BlockList()
  for (const [address, prefix, family] of entries) blocks.addSubnet(address, prefix, family)
  return blocks
}

const ALWAYS_REFUSED: ReadonlyArray<readonly [BlockList, string]> = [
  // AWS's IPv6 endpoint, and Alibaba Cloud's, which lives outside link-local (issue 11 item 8).
  [list([['fd00:ec2::254', 128, 'ipv6'], ['100.100.100.200', 32, 'ipv4']]), 'a cloud metadata address'],
  [list([['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']]), 'link-local (cloud metadata services live there)'],
  [list([['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']]), 'an unspecified address']
]
const PRIVATE: ReadonlyArray<readonly [BlockList, string]> = [
  [list([['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']]), 'loopback'],
  [list([['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']]), 'private']
]

/** Why this IP address is refused under the policy, or undefined when it is allowed. */
export function refusalReason (address: string, policy: AddressPolicy): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '') // brackets and an IPv6 zone id
  const ipv4 = net.isIPv4(bare) ? bare : embeddedIPv4(bare)
  const [ip, family] = ipv4 !== undefined ? [ipv4, 'ipv4' as const] : [bare, 'ipv6' as const]
  if (!net.isIP(ip)) return undefined
  const rules = policy.denyPrivate ? [...ALWAYS_REFUSED, ...PRIVATE] : ALWAYS_REFUSED
  return rules.find(([blocks]) => blocks.check(ip, family))?.[1]
}

/**
 * The IPv4 address an IPv6 address carries, so that it is judged as that IPv4 address: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, RFC 4291 §2.5.5.1, but not :: and ::1), NAT64
 * (64:ff9b::/96, RFC 6052; 64:ff9b:1::/48, RFC 8215) and 6to4 (2002:aabb:ccdd::/48, RFC 3056).
 * Each reaches the IPv4 host through a translator, metadata services included.
 */
function embeddedIPv4 (address: string): string | undefined {
  if (!net.isIPv6(address)) return undefined
  const groups = expandIPv6(address.toLowerCase())
  if (groups === undefined) return undefined
  const dotted = (high: number, low: number) => [high >> 8, high & 255, low >> 8, low & 255].join('.')
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups
  const zeroes = (...values: Array<number | undefined>) => values.every((value) => value === 0)
  if (zeroes(g0, g1, g2, g3, g4) && g5 === 0xffff) return dotted(g6, g7)
  if (zeroes(g0, g1, g2, g3, g4, g5) && g6 !== 0) return dotted(g6, g7)
  if (g0 === 0x64 && g1 === 0xff9b && zeroes(g2, g3, g4, g5)) return dotted(g6, g7)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return dotted(g6, g7)
  if (g0 === 0x2002) return dotted(g1 ?? 0, g2 ?? 0)
  return undefined
}

function expandIPv6 (address: string): number[] | undefined {
  let text = address
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(2).map(Number) as [number, number, number, number]
    text = `${dotted[1] ?? ''}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parse = (part: string) => part === '' ? [] : part.split(':').map((group) => parseInt(group, 16))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right]
  return groups.length === 8 ? groups : undefined
}

/** Raised inside the socket's lookup; the gate turns it into IdpError stage `forbidden_address`. */
export class ForbiddenAddressError extends Error {
  readonly code = 'ERR_PORTAL_FORBIDDEN_ADDRESS'

  constructor (readonly hostname: string, readonly address: string, readonly reason: string) {
    super(`${hostname === address ? address : `${hostname} resolves to ${address}, which`} is ${reason}; identity provider calls to it are refused`)
    this.name = 'ForbiddenAddressError'
  }
}

/**
 * A `lookup` for net/tls.connect: resolves with `resolve` (default dns.lookup), refuses the whole name
 * when any address it answers is refused, and hands the socket only the addresses just checked.
 */
export function guardedLookup (policy: AddressPolicy, resolve: LookupFunction = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, answer) => {
      if (error !== null) { callback(error, '', 0); return }
      const addresses = Array.isArray(answer) ? answer : [{ address: answer, family: net.isIPv6(answer) ? 6 : 4 }]
      for (const { address } of addresses) {
        const reason = refusalReason(address, policy)
        if (reason !== undefined) { callback(new ForbiddenAddressError(hostname, address, reason), '', 0); return }
      }
      const first = addresses[0]
      if (first === undefined) { callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0); return }
      if (options.all === true) callback(null, addresses)
      else callback(null, first.address, first.family)
    })
  }
}
