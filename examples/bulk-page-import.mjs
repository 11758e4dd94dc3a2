// Create a site and import a list of pages into it, then list them with the pagination
// helper (`Page.iterate` follows the cursor for you).
//
// Run: node examples/bulk-page-import.mjs [site-name]
import { Site, Page, Agent } from 'calibre-native'

const name = process.argv[2] ?? `Example Shop ${new Date().toISOString().slice(0, 10)}`
const pages = [
  { name: 'Home', url: 'https://shop.example.com/' },
  { name: 'Catalogue', url: 'https://shop.example.com/catalogue' },
  { name: 'Product', url: 'https://shop.example.com/products/espresso-machine' },
  { name: 'Basket', url: 'https://shop.example.com/basket' },
  { name: 'Checkout', url: 'https://shop.example.com/checkout' },
]

const [location] = await Agent.list()
const site = await Site.create({
  name,
  pages: pages.slice(0, 1),
  agentSettings: { location: location.tag },
})
console.log(`Created site ${site.slug} (${site.name}) testing from ${location.name}`)

for (const [position, page] of pages.slice(1).entries()) {
  const created = await Page.create({ site: site.slug, ...page, position: position + 1 })
  console.log(`  + ${created.name.padEnd(10)} ${created.url}`)
}

let count = 0
for await (const page of Page.iterate({ site: site.slug, pageSize: 2 })) {
  count += 1
  console.log(`  ${String(count).padStart(2)}. ${page.name}`)
}
console.log(`${count} pages in ${site.slug}`)
