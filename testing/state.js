'use strict'

// The in-memory organisation behind the fake API, and the rules that move
// queued work (snapshots, single page tests, pull request reviews) forward on
// the fake clock.
//
// `store.data` is what `fake.state` exposes: plain objects and arrays that tests
// may read and change. Times are numbers (ms since the epoch, fake clock);
// references between records are by uuid or tag, never by object identity,
// so edits made by tests cannot leave dangling pointers.

const { LOCATIONS, DEVICES, CONNECTIONS, SYNTHETIC_METRICS, CRUX_METRICS, RUM_METRICS } = require('./catalog')
const { createRng, uuidFrom, hexFrom } = require('./random')
const { measurementsFor } = require('./generate')

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS

/** When queued work starts running and finishes, in fake-clock ms after creation. */
const TIMINGS = Object.freeze({ runningAfterMs: 5000, completedAfterMs: 20000 })

const IN_FLIGHT = new Set(['queued', 'running'])

const clone = value => structuredClone(value)

/** 'Acme Website!' -> 'acme-website', 'São Paulo' -> 'sao-paulo' */
function slugify (text) {
  return String(text).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'site'
}

/** Mobile devices and slow connections make lab timings slower. */
function slowdownFor (deviceTag, connectionTag) {
  const device = DEVICES.find(d => d.tag === deviceTag)
  let slowdown = device && device.type !== 'desktop' ? 1.35 : 1
  if (connectionTag && /3G|2G/.test(connectionTag)) slowdown *= 1.5
  else if (connectionTag === 'LTE') slowdown *= 1.15
  return slowdown
}

/** How a queued record ends: tests may set `outcome` on it before it finishes. */
function outcomeForUrl (url) {
  try {
    const host = new URL(url).hostname
    if (host.startsWith('errored.')) return 'errored'
    if (host.startsWith('timeout.')) return 'timeout'
  } catch {}
  return 'completed'
}

class Store {
  /**
   * @param {{ now: number, seed: boolean }} options
   */
  constructor ({ now, seed }) {
    // One fixed seed: the same sequence of calls yields the same uuids and data.
    this.rng = createRng(0xca1b7e)
    this.data = {
      organisation: { name: 'Acme Inc', slug: 'acme' },
      teams: [],
      sites: [],
      singlePageTests: [],
      locations: clone(LOCATIONS),
      devices: clone(DEVICES),
      connections: clone(CONNECTIONS),
      metrics: { synthetic: clone(SYNTHETIC_METRICS), crux: clone(CRUX_METRICS), rum: clone(RUM_METRICS) }
    }
    if (seed) seedOrganisation(this, now)
    else this.data.teams.push({ slug: 'default', name: 'Default', description: 'Default team' })
  }

  uuid () {
    return uuidFrom(this.rng)
  }

  sha () {
    return hexFrom(this.rng, 40)
  }

  /** A slug no other site uses: 'acme', 'acme-2', 'acme-3'... */
  uniqueSlug (name) {
    const base = slugify(name)
    let slug = base
    for (let n = 2; this.data.sites.some(s => s.slug === slug); n++) slug = `${base}-${n}`
    return slug
  }

  // ------------------------------------------------------------ factories
  // Each returns the new record after adding it to the store.

  addSite ({ name, slug, team, createdAt, agentSettings = {}, pages = [], testProfiles = [], crux = false, rum = false }) {
    const site = {
      slug: slug ?? this.uniqueSlug(name),
      name,
      team,
      canonicalUrl: null,
      createdAt,
      updatedAt: createdAt,
      authenticationSettings: {
        required: false,
        url: null,
        username: null,
        password: null,
        formSelector: null,
        usernameSelector: null,
        passwordSelector: null,
        warningMessage: null
      },
      headers: [],
      cookies: [],
      agentSettings: {
        location: agentSettings.location ?? 'NorthVirginia',
        scheduleInterval: agentSettings.scheduleInterval ?? 'every_x_hours',
        scheduleAnchor: agentSettings.scheduleAnchor ?? 6
      },
      pages: [],
      testProfiles: [],
      snapshots: [],
      nextSnapshotIid: 1,
      deploys: [],
      integrations: [],
      metricBudgets: [],
      pullRequestReviews: [],
      crux: { enabled: crux, urls: [] },
      rumConfig: {
        enabled: rum,
        sampleRate: rum ? 1 : 0,
        allowedOrigins: [],
        endpoint: '/rum/collect',
        identifier: `rum_${hexFrom(this.rng, 12)}`,
        dataRetentionMonths: 12,
        maxDataRetentionMonths: 24,
        excludeEu: false,
        createdAt,
        updatedAt: createdAt,
        suspendedAt: null,
        systemSuspended: false
      }
    }
    this.data.sites.push(site)
    for (const page of pages) this.addPage(site, page, createdAt)
    for (const profile of testProfiles) this.addTestProfile(site, profile, createdAt)
    const canonical = site.pages.find(p => p.canonical) ?? site.pages[0]
    if (canonical) site.canonicalUrl = new URL(canonical.url).origin + '/'
    site.rumConfig.allowedOrigins = site.canonicalUrl ? [new URL(site.canonicalUrl).origin] : []
    if (crux) site.crux.urls = site.pages.map(p => ({ uuid: this.uuid(), url: p.url, name: p.name, status: 'active' }))
    return site
  }

  addPage (site, { name, url, position, canonical = false }, now) {
    const page = {
      uuid: this.uuid(),
      name,
      url,
      position: position ?? site.pages.reduce((max, p) => Math.max(max, p.position ?? 0), 0) + 1,
      canonical,
      createdAt: now,
      updatedAt: now
    }
    site.pages.push(page)
    return page
  }

  addTestProfile (site, attrs, now) {
    const profile = {
      uuid: this.uuid(),
      name: attrs.name,
      device: attrs.device ?? null,
      connection: attrs.connection ?? null,
      jsIsDisabled: attrs.jsIsDisabled ?? false,
      cookies: attrs.cookies ?? [],
      headers: attrs.headers ?? [],
      blockedThirdParties: attrs.blockedThirdParties ?? [],
      position: attrs.position ?? site.testProfiles.reduce((max, p) => Math.max(max, p.position ?? 0), 0) + 1,
      createdAt: now,
      updatedAt: now
    }
    site.testProfiles.push(profile)
    return profile
  }

  /** A snapshot tests every page with every test profile of the site. */
  addSnapshot (site, { ref = null, client = null }, now, immediate) {
    const iid = site.nextSnapshotIid++
    const snapshot = {
      iid,
      siteSlug: site.slug,
      ref,
      client,
      createdAt: now,
      updatedAt: now,
      status: 'queued',
      outcome: 'completed',
      tests: []
    }
    for (const profile of site.testProfiles) {
      for (const page of site.pages) {
        snapshot.tests.push({
          uuid: this.uuid(),
          siteSlug: site.slug,
          page: { uuid: page.uuid, name: page.name, url: page.url },
          testProfile: { uuid: profile.uuid, name: profile.name },
          slowdown: slowdownFor(profile.device, profile.connection),
          status: 'queued',
          measurements: []
        })
      }
    }
    site.snapshots.unshift(snapshot)
    if (immediate) finishSnapshot(snapshot, now)
    return snapshot
  }

  addSinglePageTest (attrs, now, immediate) {
    const test = {
      uuid: this.uuid(),
      url: attrs.url,
      location: attrs.location,
      device: attrs.device ?? null,
      connection: attrs.connection ?? null,
      cookies: attrs.cookies ?? [],
      headers: attrs.headers ?? [],
      blockedHosts: attrs.blockedHosts ?? [],
      isPrivate: attrs.isPrivate ?? false,
      webhookUrl: attrs.webhookUrl ?? null,
      webhookSecret: attrs.webhookSecret ?? null,
      expiresAt: attrs.expiresAt ?? null,
      createdAt: now,
      updatedAt: now,
      status: 'queued',
      outcome: outcomeForUrl(attrs.url),
      measurements: []
    }
    this.data.singlePageTests.unshift(test)
    if (immediate) finishSinglePageTest(test, now)
    return test
  }

  addPullRequestReview (site, attrs, now, immediate) {
    const review = {
      uuid: this.uuid(),
      siteSlug: site.slug,
      title: attrs.title,
      url: attrs.url,
      branch: attrs.branch,
      sha: attrs.sha,
      config: attrs.config ?? null,
      createdAt: now,
      updatedAt: now,
      status: 'queued',
      outcome: outcomeForUrl(attrs.url),
      // null: worked out from the site's budgets once completed (see resolvers.js)
      metricBudgetStatus: null
    }
    site.pullRequestReviews.unshift(review)
    if (immediate) finishReview(review, now)
    return review
  }

  // ------------------------------------------------------------ the clock

  /**
   * Move queued and running work forward to fake time `now`:
   * queued -> running after TIMINGS.runningAfterMs, -> its outcome after
   * TIMINGS.completedAfterMs. Called on every request and on fake.advance().
   */
  progress (now) {
    for (const test of this.data.singlePageTests) step(test, now, finishSinglePageTest)
    for (const site of this.data.sites) {
      for (const snapshot of site.snapshots) step(snapshot, now, finishSnapshot)
      for (const review of site.pullRequestReviews) step(review, now, finishReview)
    }
  }
}

function step (record, now, finish) {
  if (!IN_FLIGHT.has(record.status)) return
  const elapsed = now - record.createdAt
  if (elapsed >= TIMINGS.completedAfterMs) {
    finish(record, record.createdAt + TIMINGS.completedAfterMs)
  } else if (elapsed >= TIMINGS.runningAfterMs && record.status === 'queued') {
    record.status = 'running'
    record.updatedAt = record.createdAt + TIMINGS.runningAfterMs
    for (const test of record.tests ?? []) test.status = 'running'
  }
}

function finishSinglePageTest (test, at) {
  test.status = test.outcome ?? 'completed'
  test.updatedAt = at
  test.measurements = test.status === 'completed' ? measurementsFor(test.uuid, slowdownFor(test.device, test.connection)) : []
}

function finishSnapshot (snapshot, at) {
  snapshot.status = snapshot.outcome ?? 'completed'
  snapshot.updatedAt = at
  for (const test of snapshot.tests) {
    test.status = snapshot.status
    test.measurements = test.status === 'completed' ? measurementsFor(test.uuid, test.slowdown) : []
  }
}

function finishReview (review, at) {
  review.status = review.outcome ?? 'completed'
  review.updatedAt = at
}

// ---------------------------------------------------------------- seed data

// The Test Profiles calibre@7's `calibre site create` gives a new Site (src/cli/site/create.js).
const DEFAULT_PROFILES = [
  { name: 'Chrome Desktop', device: 'Desktop', connection: 'cable' },
  { name: 'iPhone, 4G LTE', device: 'iPhone12', connection: 'LTE' },
  { name: 'Motorola Moto G Power, 3G connection', device: 'MotorolaMotoGPower', connection: 'regular3G' }
]

const SEED_SITES = [
  {
    team: 'marketing',
    name: 'Acme Website',
    location: 'Sydney',
    origin: 'https://www.acme.example',
    pages: [['Home', '/'], ['Pricing', '/pricing'], ['Features', '/features'], ['Blog', '/blog']],
    crux: true,
    rum: true
  },
  {
    team: 'marketing',
    name: 'Acme Blog',
    location: 'Ireland',
    origin: 'https://blog.acme.example',
    pages: [['Home', '/'], ['Latest post', '/posts/shipping-faster']],
    crux: true,
    rum: false
  },
  {
    team: 'engineering',
    name: 'Acme App',
    location: 'NorthVirginia',
    origin: 'https://app.acme.example',
    pages: [['Login', '/login'], ['Dashboard', '/dashboard'], ['Settings', '/settings']],
    crux: false,
    rum: true
  },
  {
    team: 'engineering',
    name: 'Acme Docs',
    location: 'Frankfurt',
    origin: 'https://docs.acme.example',
    pages: [['Docs home', '/'], ['Getting started', '/getting-started']],
    crux: false,
    rum: false,
    scheduleInterval: 'off'
  }
]

/**
 * Two teams with two sites each, a history of completed snapshots, deploys,
 * integrations, budgets and reviews, plus two finished single page tests.
 */
function seedOrganisation (store, now) {
  const { data } = store
  data.teams.push(
    { slug: 'marketing', name: 'Marketing', description: 'Marketing website, blog and campaign landing pages' },
    { slug: 'engineering', name: 'Engineering', description: 'Product application and developer documentation' }
  )

  SEED_SITES.forEach((spec, index) => {
    const createdAt = now - (400 - index * 30) * DAY_MS
    const site = store.addSite({
      name: spec.name,
      team: spec.team,
      createdAt,
      agentSettings: { location: spec.location, scheduleInterval: spec.scheduleInterval },
      pages: spec.pages.map(([name, path], i) => ({ name, url: spec.origin + path, canonical: i === 0 })),
      testProfiles: index === 3 ? DEFAULT_PROFILES.slice(0, 1) : DEFAULT_PROFILES.slice(0, index === 0 ? 3 : 2),
      crux: spec.crux,
      rum: spec.rum
    })

    // A week of daily snapshots, the newest two hours ago; all finished.
    for (let day = 6; day >= 0; day--) {
      const snapshot = store.addSnapshot(site, { ref: day === 0 ? 'v2.4.0' : null, client: day % 3 === 0 ? 'API' : null }, now - day * DAY_MS - 2 * HOUR_MS, true)
      snapshot.updatedAt = snapshot.createdAt + TIMINGS.completedAfterMs
    }

    for (const [daysAgo, revision] of [[5, 'v2.2.0'], [3, 'v2.3.0'], [1, 'v2.4.0']]) {
      site.deploys.push({
        uuid: store.uuid(),
        siteSlug: site.slug,
        revision,
        repository: `https://github.com/acme/${site.slug}`,
        username: daysAgo === 1 ? 'release-bot' : 'jo.deployer',
        createdAt: now - daysAgo * DAY_MS
      })
    }

    site.integrations.push({
      uuid: store.uuid(),
      provider: 'slack',
      events: ['new_snapshot', 'metric_budget_change'],
      url: 'https://hooks.slack.example/services/T000/B000/XXXX',
      secret: null,
      isDisabled: false
    })
    if (index % 2 === 0) {
      site.integrations.push({
        uuid: store.uuid(),
        provider: 'webhook',
        events: ['new_snapshot'],
        url: `${spec.origin}/webhooks/calibre`,
        secret: hexFrom(store.rng, 24),
        isDisabled: index === 2
      })
    }

    site.metricBudgets.push(
      { uuid: store.uuid(), siteSlug: site.slug, measurement: 'largest-contentful-paint', value: 2500, pages: [], profiles: [], createdAt },
      { uuid: store.uuid(), siteSlug: site.slug, measurement: 'lighthouse-performance-score', value: 80, pages: [site.pages[0].uuid], profiles: [site.testProfiles[0].uuid], createdAt }
    )

    for (const [daysAgo, number] of [[4, 41], [2, 42]]) {
      store.addPullRequestReview(site, {
        title: `Improve image loading (#${number})`,
        url: `https://pr-${number}.preview.acme.example`,
        branch: `feature/pr-${number}`,
        sha: store.sha()
      }, now - daysAgo * DAY_MS, true)
    }
  })

  store.addSinglePageTest({ url: 'https://www.acme.example/', location: 'Sydney', device: 'Desktop', connection: 'cable' }, now - 3 * DAY_MS, true)
  store.addSinglePageTest({ url: 'https://app.acme.example/login', location: 'Ireland', device: 'iPhone12', connection: 'LTE' }, now - DAY_MS, true)
}

module.exports = { Store, TIMINGS, DEFAULT_PROFILES, slugify }
