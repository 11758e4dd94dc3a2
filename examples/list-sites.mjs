// List every site of the organisation, with its team and monitoring status.
//
// Run: CALIBRE_API_TOKEN=<token> node examples/list-sites.mjs
// (or store the token once with `calibre-native token set -`; CALIBRE_HOST points elsewhere)
import { Site } from 'calibre-native'

const sites = await Site.list()
console.log(`${sites.length} sites:`)
for (const site of sites) {
  // monitoringStatus says what is wrong with each kind of monitoring; null means it runs.
  const status = site.monitoringStatus ? Object.entries(site.monitoringStatus).filter(([, problem]) => !problem).map(([k]) => k).join(', ') : ''
  console.log(`  ${site.slug.padEnd(28)} ${site.name.padEnd(28)} team ${site.team?.slug ?? '-'}${status ? `  [${status}]` : ''}`)
}
