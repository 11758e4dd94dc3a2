// A CommonJS script (.cts compiles to `require`), type-checked by `npm run test:types`; never run.
// Both CommonJS import forms resolve through the `require` condition of package.json `exports`.
import calibre = require('calibre-native')
import { Site, Snapshot, Test, Crux, Rum, CalibreError } from 'calibre-native'
import type { CalibreErrorCode, CreatedTest, SnapshotSummary } from 'calibre-native'
import testing = require('calibre-native/testing')

async function main(): Promise<number> {
  const fake = await testing.startFakeCalibre({ completeTestsImmediately: true })
  process.env.CALIBRE_HOST = fake.url
  process.env.CALIBRE_API_TOKEN = fake.tokens.create({ type: 'personal', role: 'member', team: 'marketing' })
  try {
    // The namespace object from `import x = require()` is the same API as the named imports.
    const viaRequire = await calibre.Site.list()
    const viaNamed = await Site.list()
    const slug: string = viaRequire[0].slug
    const same: boolean = viaNamed[0].slug === slug

    const all: SnapshotSummary[] = []
    for await (const s of Snapshot.iterate({ site: slug })) all.push(s)

    const started: CreatedTest = await Test.create({ url: 'https://acme.example', location: 'Sydney' })
    const finished = await Test.waitForTest(started.uuid, { intervalMs: 10 })
    const status: string = finished.status

    const phone = await Crux.summary({ site: slug, formFactor: 'phone' })
    const assessment: string | null = phone ? phone.cruxCvwAssessment : null
    const rum = await Rum.pages({ site: slug, limit: 5 })
    const paths: string[] = rum ? rum.aggregate.map((a) => a.path) : []

    // @ts-expect-error a CommonJS consumer gets the same checks: `count` is required
    await calibre.Page.list({ site: slug })
    // @ts-expect-error and enum literals are checked
    await calibre.Crux.urls({ site: slug, formFactor: 'mobile' })

    console.log(same, all.length, status, assessment, paths)
    return 0
  } catch (e) {
    if (e instanceof CalibreError) {
      const code: CalibreErrorCode = e.code
      const explanation: string | undefined = e[0]?.extensions?.problems?.[0]?.explanation
      console.error(code, explanation ?? e.message)
      return 1
    }
    // `instanceof` against the CommonJS export works the same way.
    if (e instanceof calibre.CalibreError) return 2
    throw e
  } finally {
    await fake.close()
  }
}

main().then((code) => {
  process.exitCode = code
})
