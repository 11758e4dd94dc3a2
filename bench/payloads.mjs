// The GraphQL results the benchmark servers answer with (bench/server.mjs on loopback,
// bench/wan-server.mjs over HTTPS on the simulated WAN).

/** A small result (~0.5 KB): calibre@7's `Agent.list` (locations) shape. */
export const small = {
  data: {
    locations: [
      { name: 'Sydney, Australia', shortName: 'Sydney', emoji: '🇦🇺', tag: 'ap-southeast-2', agents: [{ ipv4: '13.54.1.10' }, { ipv4: '13.54.1.11' }] },
      { name: 'North Virginia, USA', shortName: 'Virginia', emoji: '🇺🇸', tag: 'us-east-1', agents: [{ ipv4: '34.192.2.20' }] },
      { name: 'London, United Kingdom', shortName: 'London', emoji: '🇬🇧', tag: 'eu-west-2', agents: [{ ipv4: '35.176.3.30' }] },
      { name: 'Frankfurt, Germany', shortName: 'Frankfurt', emoji: '🇩🇪', tag: 'eu-central-1', agents: [{ ipv4: '18.184.4.40' }] },
    ],
  },
}

/** mulberry32: a small PRNG with a full 2^32 period. */
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A deterministic time series of about `target` bytes of JSON (numbers, objects, a CSV string).
 * By default each value is uniform noise from a short-period generator, which is fine for
 * parsing but not for compression: brotli's large window finds the generator's repeats and
 * shrinks it 50x while gzip manages 4x. `{ measured: true }` gives what a metric looks like
 * over time instead (each series holds its level from snapshot to snapshot, with ±5% steps,
 * values rounded to 10 ms), which gzip and brotli both shrink ~10x, like real GraphQL results.
 */
export function timeSeries(target, { measured = false } = {}) {
  let seed = 42
  const lcg = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
  const rand = measured ? mulberry32(42) : lcg
  const pages = Array.from({ length: 8 }, (_, i) => ({ uuid: `page-${i}`, name: `Page ${i}`, url: `https://acme.example/p/${i}` }))
  const testProfiles = Array.from({ length: 4 }, (_, i) => ({
    uuid: `profile-${i}`, name: ['Chrome Desktop', 'Motorola Moto G Power', 'iPhone 15', 'Chrome Desktop (no JS)'][i],
    jsIsDisabled: i === 3, hasDeviceEmulation: i === 1 || i === 2, hasBandwidthEmulation: i > 0, isMobile: i === 1 || i === 2,
  }))
  const measurementTags = ['largest-contentful-paint', 'first-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index', 'page-size']
  const metrics = measurementTags.map((name) => ({ name, label: name.replace(/-/g, ' '), formatter: 'humanDuration', docsPath: `/metrics/${name}` }))
  // Each point costs about 5.5 bytes in `values` and 5 in `csv` for each series, plus ~90 in `times`.
  const seriesCount = pages.length * testProfiles.length * measurementTags.length // 192
  const points = Math.max(10, Math.round(target / (seriesCount * 10.5 + 90)))
  const start = Date.UTC(2024, 0, 1)
  const times = Array.from({ length: points }, (_, i) => {
    const iso = new Date(start + i * 3_600_000).toISOString()
    return { name: iso, snapshot: String(100000 + i), timestamp: iso }
  })
  const series = []
  for (const page of pages) {
    for (const profile of testProfiles) {
      for (const measurement of measurementTags) {
        const cls = measurement === 'cumulative-layout-shift'
        const level = measured ? 200 + rand() * 4800 : 0
        let last = null
        const values = Array.from({ length: points }, () => {
          const r = rand()
          if (r < 0.01) return null
          if (!measured) return cls ? Math.round(r * 1000) / 10000 : Math.round(200 + r * 4800)
          // Most snapshots measure what the previous one did; the rest vary by up to ±5%.
          if (last !== null && rand() < 0.8) return last
          const wobble = 1 + 0.1 * (rand() - 0.5)
          last = cls ? Math.round(level * wobble / 10) / 10000 : Math.round(level * wobble / 10) * 10
          return last
        })
        series.push({ name: `${page.name} ${profile.name} ${measurement}`, profile: profile.uuid, page: page.uuid, measurement, values })
      }
    }
  }
  const header = ['timestamp', ...series.map((s) => s.name)].join(',')
  const rows = times.map((t, i) => [t.timestamp, ...series.map((s) => s.values[i] ?? '')].join(','))
  const csv = [header, ...rows].join('\n')
  return { data: { organisation: { site: { timeSeries: { times, series, pages, testProfiles, metrics, csv } } } } }
}
