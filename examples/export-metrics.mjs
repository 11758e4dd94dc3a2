// Export the latest snapshot's metrics of every page and test profile of a site as CSV,
// plus a 30-day time series of Largest Contentful Paint.
//
// Run: node examples/export-metrics.mjs <site-slug> [metrics.csv]   (CSV to stdout without a file)
import fs from 'node:fs'
import { Site, Snapshot, SnapshotMetrics, TimeSeries } from 'calibre-native'

const slug = process.argv[2] ?? (await Site.list())[0]?.slug
if (!slug) throw new Error('No site to export: pass a site slug')

const { snapshots } = await Snapshot.list({ site: slug, count: 1 })
if (snapshots.length === 0) throw new Error(`${slug} has no snapshots yet`)
const { snapshot, testProfiles } = await SnapshotMetrics.snapshot({ site: slug, snapshotId: snapshots[0].iid })
const profiles = new Map(testProfiles.map((p) => [p.uuid, p.name]))

const rows = [['snapshot', 'page', 'url', 'profile', 'metric', 'value']]
for (const test of snapshot.tests) {
  for (const m of test.measurements) {
    rows.push([snapshot.iid, test.page.name, test.page.url, profiles.get(test.testProfile.uuid) ?? test.testProfile.uuid, m.name, m.value])
  }
}
const csv = (cells) => cells.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replaceAll('"', '""')}"` : c)).join(',')
const out = process.argv[3]
if (out) fs.writeFileSync(out, rows.map(csv).join('\n') + '\n')
else console.log(rows.map(csv).join('\n'))

const from = new Date(Date.now() - 30 * 86400000).toISOString()
const series = await TimeSeries.list({ site: slug, measurements: ['largest-contentful-paint'], from })
console.error(`${rows.length - 1} measurements from snapshot #${snapshot.iid}${out ? ` written to ${out}` : ''}; ${series.times.length} points of LCP history over 30 days`)
