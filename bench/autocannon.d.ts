// The part of autocannon 8's programmatic API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  export interface Options {
    url: string
    method?: 'GET' | 'PUT' | 'POST' | 'DELETE'
    headers?: Record<string, string>
    body?: string
    connections?: number
    duration?: number
    /** A fixed number of requests instead of a duration. */
    amount?: number
    timeout?: number
    bailout?: number
  }
  export interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    p50: number
    p90: number
    p97_5: number
    p99: number
  }
  export interface Result {
    requests: Histogram & { total: number }
    latency: Histogram
    throughput: Histogram
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    duration: number
  }
  export interface Instance extends PromiseLike<Result> {
    stop(): void
  }
  export default function autocannon (options: Options): Instance
}
