// A typed weekly report: the sites, their latest snapshot and the CrUX summary, with the
// types calibre-native ships (no `any` anywhere).
//
// Type-checked by `npm test` (tsc --strict, see __test__/types/tsconfig.json); run with
// node --experimental-strip-types examples/typed-report.ts on Node 22.6+, or compile it with tsc.
// No top-level await, so it compiles as CommonJS (this package has no "type": "module") and as ESM.
import { Site, Snapshot, Crux, Calibre, CalibreError } from 'calibre-native'
import type { SiteSummary, SnapshotListResult } from 'calibre-native'

async function latestSnapshot(site: SiteSummary): Promise<string> {
  const { snapshots }: SnapshotListResult = await Snapshot.list({ site: site.slug, count: 1 })
  const [latest] = snapshots
  return latest ? `#${latest.iid} (${latest.status ?? 'unknown'})` : 'none yet'
}

async function report(client?: Calibre): Promise<void> {
  const sites = client ? await client.Site.list() : await Site.list()
  for (const site of sites) {
    const crux = await Crux.summary({ site: site.slug, formFactor: 'phone' }).catch((e: unknown) => {
      if (e instanceof CalibreError && e.code === 'CALIBRE_GRAPHQL_ERROR') return null
      throw e
    })
    console.log(`${site.name}: latest snapshot ${await latestSnapshot(site)}, CrUX ${crux?.cruxCvwAssessment ?? 'n/a'}`)
  }
}

report().catch((e: unknown) => {
  console.error(e instanceof CalibreError ? `${e.code}: ${e.message}` : e)
  process.exitCode = 1
})
