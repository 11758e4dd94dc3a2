// Record a deploy marker from CI, so Calibre charts show when each release went out, and
// take a snapshot of the site right after the release.
//
// Run in CI: CALIBRE_API_TOKEN=${{ secrets.CALIBRE_API_TOKEN }} node examples/deploy-marker.mjs <site-slug>
// Uses the usual CI variables when present (GITHUB_SHA, GITHUB_REPOSITORY, GITHUB_ACTOR).
import { Site, Deploy, Snapshot, CalibreError } from 'calibre-native'

const site = process.argv[2] ?? (await Site.list())[0]?.slug
try {
  const deploy = await Deploy.create({
    site,
    revision: process.env.GITHUB_SHA ?? 'local-build',
    repository: process.env.GITHUB_REPOSITORY ? `https://github.com/${process.env.GITHUB_REPOSITORY}` : undefined,
    username: process.env.GITHUB_ACTOR ?? process.env.USER,
  })
  console.log(`Deploy ${deploy.uuid} recorded for ${site} at revision ${deploy.revision}`)
  const snapshot = await Snapshot.create({ site, ref: deploy.revision })
  console.log(`Snapshot #${snapshot.iid} started: ${snapshot.htmlUrl}`)
  // Deploys are listed oldest first: walk them all, newest first (the list order breaks ties).
  const all = []
  for await (const d of Deploy.iterate({ site, pageSize: 100 })) all.unshift(d)
  all.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
  console.log(`Latest deploys: ${all.slice(0, 3).map((d) => d.revision).join(', ')}`)
} catch (e) {
  // A deploy marker must never fail the pipeline: report and move on.
  if (e instanceof CalibreError) console.error(`Deploy marker skipped (${e.code}): ${e.message}`)
  else throw e
}
