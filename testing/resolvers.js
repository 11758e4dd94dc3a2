'use strict'

// GraphQL resolvers: how each field of schema.graphql is answered from the store.
//
// Every resolver receives `ctx` (see graphql.js `RequestContext`):
//   ctx.data      the store's data (fake.state)
//   ctx.store     the Store, for its factories and uuid generator
//   ctx.now       the fake clock when the request arrived (ms)
//   ctx.baseUrl   the fake's URL, to build absolute URLs
//   ctx.token     { type, role, team } of the calling token
//   ctx.immediate whether new tests complete at once (completeTestsImmediately)
//
// Fields missing here use graphql-js's default: the property of the same name.
// Input problems are thrown as ApiError, which graphql.js turns into a GraphQL
// error with `extensions.problems: [{ path, explanation }]`, the shape the real
// (graphql-ruby) API uses and calibre's humaniseError reads.

const gen = require('./generate')
const { DEFAULT_PROFILES } = require('./state')
const { artifactUrl, artifactJson } = require('./artifacts')
const { singlePageTestReport, pullRequestReviewReport } = require('./reports')

class ApiError extends Error {
  /** @param {string} message @param {{ path: (string|number)[], explanation: string }[]} problems */
  constructor (message, problems) {
    super(message)
    this.name = 'ApiError'
    this.extensions = { problems }
  }
}

/** Throws one ApiError listing every problem, if there are any. */
function check (what, problems) {
  if (problems.length === 0) return
  throw new ApiError(`${what}: ${problems.map(p => p.explanation).join('; ')}`, problems)
}

function notFound (kind, path, explanation) {
  throw new ApiError(`${kind} not found`, [{ path, explanation }])
}

const blank = value => value === null || value === undefined || String(value).trim() === ''

/** Only the keys the client sent (graphql-js leaves absent input fields out). */
const sent = attributes => Object.fromEntries(Object.entries(attributes ?? {}).filter(([, v]) => v !== undefined))

// ---------------------------------------------------------------- access

/** Admin tokens see every team; personal access tokens only their own. */
const canSeeTeam = (ctx, team) => ctx.token.type === 'admin' || ctx.token.team === team

const visibleSites = ctx => ctx.data.sites.filter(site => canSeeTeam(ctx, site.team))

const findSite = (ctx, slug) => visibleSites(ctx).find(site => site.slug === slug) ?? null

function requireSite (ctx, slug) {
  return findSite(ctx, slug) ??
    notFound('Site', ['site'], `No Site with slug "${slug}" exists or is visible to this API token`)
}

function requireItem (list, uuid, kind, site) {
  return list.find(item => item.uuid === uuid) ??
    notFound(kind, ['uuid'], `No ${kind} with uuid "${uuid}" on Site "${site.slug}"`)
}

function removeItem (list, item) {
  list.splice(list.indexOf(item), 1)
  return item
}

const siteOf = (ctx, slug) => ctx.data.sites.find(site => site.slug === slug) ?? null

// ---------------------------------------------------------------- pagination

// Cursors are base64 of the 1-based position, as graphql-ruby makes them.
const encodeCursor = index => Buffer.from(String(index + 1)).toString('base64')

function decodeCursor (cursor) {
  const position = Number(Buffer.from(String(cursor), 'base64').toString('utf8'))
  return Number.isInteger(position) && position >= 1 ? position - 1 : null
}

/** A Relay connection over `items` for `first`/`after`. */
function paginate (items, { first, after }) {
  let start = 0
  if (after !== null && after !== undefined) {
    const index = decodeCursor(after)
    if (index === null) throw new ApiError('Invalid cursor', [{ path: ['after'], explanation: `"${after}" is not a cursor of this list` }])
    start = index + 1
  }
  if (first !== null && first !== undefined && first < 0) {
    throw new ApiError('Invalid page size', [{ path: ['first'], explanation: 'first must not be negative' }])
  }
  const end = first === null || first === undefined ? items.length : Math.min(items.length, start + first)
  const nodes = items.slice(start, end)
  const edges = nodes.map((node, i) => ({ cursor: encodeCursor(start + i), node }))
  return {
    edges,
    nodes,
    totalCount: items.length,
    pageInfo: {
      hasPreviousPage: start > 0,
      hasNextPage: end < items.length,
      startCursor: edges.length ? edges[0].cursor : null,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null
    }
  }
}

const byPosition = list => [...list].sort((a, b) => (a.position ?? 0) - (b.position ?? 0))

// ---------------------------------------------------------------- lookups

const locationOf = (ctx, tag) => ctx.data.locations.find(l => l.tag === tag) ?? null
const deviceOf = (ctx, tag) => ctx.data.devices.find(d => d.tag === tag) ?? null
const connectionOf = (ctx, tag) => ctx.data.connections.find(c => c.tag === tag) ?? null
const allMetrics = ctx => [...ctx.data.metrics.synthetic, ...ctx.data.metrics.crux, ...ctx.data.metrics.rum]
const metricOf = (ctx, tag) => allMetrics(ctx).find(m => m.value === tag) ?? null
const absolute = (ctx, path) => (path === null || path === undefined || /^https?:/i.test(path) ? path ?? null : ctx.baseUrl + path)

function normaliseCookies (cookies) {
  return (cookies ?? []).map(c => ({
    name: c.name,
    value: c.value,
    domain: c.domain ?? null,
    path: c.path ?? '/',
    secure: c.secure ?? false,
    httpOnly: c.httpOnly ?? false
  }))
}

const normaliseHeaders = headers => (headers ?? []).map(h => ({ name: h.name, value: h.value }))

// ---------------------------------------------------------------- metric budgets

/** One row per (page, profile) in the budget's scope, against the latest completed snapshot. */
function budgetRows (ctx, budget) {
  const site = siteOf(ctx, budget.siteSlug)
  if (!site) return []
  const metric = metricOf(ctx, budget.measurement)
  const latest = site.snapshots.find(s => s.status === 'completed')
  const pages = budget.pages.length ? site.pages.filter(p => budget.pages.includes(p.uuid)) : byPosition(site.pages)
  const profiles = budget.profiles.length ? site.testProfiles.filter(p => budget.profiles.includes(p.uuid)) : byPosition(site.testProfiles)
  const rows = []
  for (const page of pages) {
    for (const profile of profiles) {
      const test = latest?.tests.find(t => t.page.uuid === page.uuid && t.testProfile.uuid === profile.uuid)
      const observed = test?.measurements.find(m => m.name === budget.measurement)?.value ?? null
      const within = observed === null
        ? null
        : metric?.budgetThreshold === 'GreaterThan' ? observed >= budget.value : observed <= budget.value
      rows.push({ page, profile, lastObservedValue: observed, withinBudget: within })
    }
  }
  return rows
}

function budgetStatus (ctx, budget) {
  const observed = budgetRows(ctx, budget).filter(row => row.withinBudget !== null)
  if (observed.length === 0) return 'no_data'
  return observed.every(row => row.withinBudget) ? 'within_budget' : 'over_budget'
}

// ---------------------------------------------------------------- validation helpers

function agentSettingsProblems (ctx, settings, path) {
  const problems = []
  if (settings.location !== undefined && !locationOf(ctx, settings.location)) {
    problems.push({ path: [...path, 'location'], explanation: `location "${settings.location}" does not exist` })
  }
  const anchor = settings.scheduleAnchor
  if (anchor !== null && anchor !== undefined) {
    if (settings.scheduleInterval === 'daily' && (anchor < 0 || anchor > 23)) {
      problems.push({ path: [...path, 'scheduleAnchor'], explanation: 'scheduleAnchor must be a UTC hour between 0 and 23 for daily snapshots' })
    }
    if (settings.scheduleInterval === 'every_x_hours' && (anchor < 1 || anchor > 168)) {
      problems.push({ path: [...path, 'scheduleAnchor'], explanation: 'scheduleAnchor must be between 1 and 168 hours for every_x_hours snapshots' })
    }
  }
  return problems
}

function teamProblems (ctx, team, path) {
  if (blank(team)) return [{ path, explanation: "team can't be blank" }]
  if (!ctx.data.teams.some(t => t.slug === team)) return [{ path, explanation: `team "${team}" does not exist` }]
  if (!canSeeTeam(ctx, team)) return [{ path, explanation: `this API token has no access to team "${team}"` }]
  return []
}

function pageUuidProblems (site, uuids, list, kind, path) {
  return (uuids ?? []).flatMap((uuid, i) =>
    list.some(item => item.uuid === uuid) ? [] : [{ path: [...path, i], explanation: `no ${kind} with uuid "${uuid}" on Site "${site.slug}"` }])
}

function defaultPageName (url) {
  try {
    const path = new URL(url).pathname
    return path === '/' ? 'Home' : path
  } catch {
    return 'Page'
  }
}

// ---------------------------------------------------------------- crux and rum

const cruxResolvers = keyOf => ({
  cruxCvwAssessment: (parent, { formFactor }) => keyOf(parent) && gen.cruxCvwAssessment(keyOf(parent), formFactor),
  cruxFormFactorDensity: parent => keyOf(parent) && gen.cruxFormFactorDensity(keyOf(parent)),
  cruxAggregateMetrics: (parent, { formFactor }) => keyOf(parent) && gen.cruxAggregateMetrics(keyOf(parent), formFactor),
  cruxHistory: (parent, { formFactor, timePeriod }, ctx) => keyOf(parent) && gen.cruxHistory(keyOf(parent), formFactor, timePeriod, ctx.now)
})

function rum (site, args, ctx) {
  if (!site.rumConfig?.enabled) return null
  const problems = []
  const metrics = [...new Set(args.metrics)].map(tag => ctx.data.metrics.rum.find(m => m.value === tag)).filter(Boolean)
  if (metrics.length === 0) problems.push({ path: ['metrics'], explanation: `metrics must include a RUM metric (${ctx.data.metrics.rum.map(m => m.value).join(', ')})` })
  // Absent and null filter fields both mean "no filter".
  const filter = Object.fromEntries(Object.entries(args.filter ?? {}).filter(([, v]) => v !== undefined && v !== null))
  if (filter.duration !== undefined && (filter.duration < 1 || filter.duration > 365)) {
    problems.push({ path: ['filter', 'duration'], explanation: 'duration must be between 1 and 365 days' })
  }
  if (args.sortBy && !gen.RUM_SORT_FIELDS.includes(args.sortBy.replace(/^-/, ''))) {
    problems.push({ path: ['sortBy'], explanation: `sortBy must be one of ${gen.RUM_SORT_FIELDS.join(', ')} (prefix - for descending)` })
  }
  for (const key of ['limit', 'offset']) {
    if (args[key] !== null && args[key] !== undefined && args[key] < 0) problems.push({ path: [key], explanation: `${key} must not be negative` })
  }
  check('Invalid RUM query', problems)
  return gen.rumReport(site, { ...args, metrics, filter }, ctx.now)
}

// ---------------------------------------------------------------- resolvers

const Query = {
  organisation: (_, __, ctx) => ctx.data.organisation,
  locations: (_, __, ctx) => ctx.data.locations,
  emulatedDevices: (_, __, ctx) => ctx.data.devices,
  metrics: (_, __, ctx) => ctx.data.metrics.synthetic,
  cruxMetrics: (_, __, ctx) => ctx.data.metrics.crux,
  rumMetrics: (_, __, ctx) => ctx.data.metrics.rum
}

const Organisation = {
  teams: (_, __, ctx) => ctx.data.teams.filter(team => canSeeTeam(ctx, team.slug)),
  sites: (_, __, ctx) => visibleSites(ctx),
  site: (_, { slug }, ctx) => findSite(ctx, slug),
  singlePageTests: (_, __, ctx) => ctx.data.singlePageTests,
  singlePageTest: (_, { uuid }, ctx) => ctx.data.singlePageTests.find(t => t.uuid === uuid) ?? null
}

const Site = {
  team: (site, _, ctx) => ctx.data.teams.find(t => t.slug === site.team) ?? null,
  monitoringStatus: site => ({
    synthetic: site.agentSettings?.scheduleInterval === 'off'
      ? 'Scheduled Snapshots are turned off'
      : site.pages.length === 0 ? 'No pages to test' : null,
    crux: site.crux?.enabled ? null : 'CrUX not enabled',
    rum: site.rumConfig?.enabled ? null : 'RUM not enabled'
  }),
  testProfiles: site => byPosition(site.testProfiles),
  pagesList: (site, args) => paginate(byPosition(site.pages), args),
  snapshotsList: (site, args) => paginate([...site.snapshots].sort((a, b) => b.iid - a.iid), args),
  snapshot: (site, { id }) => site.snapshots.find(s => s.iid === id) ?? null,
  deploys: (site, args) => paginate([...site.deploys].sort((a, b) => a.createdAt - b.createdAt), args),
  integrationsList: (site, args) => paginate(site.integrations, args),
  metricBudgetsList: (site, { metric, ...args }) =>
    paginate(metric ? site.metricBudgets.filter(b => b.measurement === metric) : site.metricBudgets, args),
  pullRequestReviews: (site, { branch }) =>
    branch === null || branch === undefined ? site.pullRequestReviews : site.pullRequestReviews.filter(r => r.branch === branch),
  timeSeries: (site, args) => {
    const range = {}
    for (const key of ['from', 'to']) {
      const ms = args[key] === null || args[key] === undefined ? (key === 'from' ? -Infinity : Infinity) : Date.parse(args[key])
      if (Number.isNaN(ms)) throw new ApiError('Invalid time range', [{ path: [key], explanation: `"${args[key]}" is not a date` }])
      range[key] = ms
    }
    return gen.timeSeriesReport(site, {
      fromMs: range.from,
      toMs: range.to,
      measurements: args.measurements ?? [],
      pageUuids: args.pages ?? [],
      profileUuids: args.profiles ?? []
    })
  },
  ...cruxResolvers(site => (site.crux?.enabled ? site.slug : null)),
  cruxUrlsList: (site, args) => paginate(site.crux?.enabled ? site.crux.urls : [], args),
  cruxUrl: (site, { uuid }) => (site.crux?.enabled ? site.crux.urls.find(u => u.uuid === uuid) ?? null : null),
  rum: (site, args, ctx) => rum(site, args, ctx)
}

const AgentSettings = {
  location: (settings, _, ctx) => locationOf(ctx, settings.location)
}

const TestProfile = {
  device: (profile, _, ctx) => deviceOf(ctx, profile.device),
  bandwidth: (profile, _, ctx) => connectionOf(ctx, profile.connection),
  hasDeviceEmulation: (profile, _, ctx) => (deviceOf(ctx, profile.device)?.type ?? 'desktop') !== 'desktop',
  hasBandwidthEmulation: profile => Boolean(profile.connection),
  isMobile: (profile, _, ctx) => (deviceOf(ctx, profile.device)?.type ?? 'desktop') !== 'desktop',
  blockedThirdParties: profile => (profile.blockedThirdParties ?? []).map(name => ({ name })),
  cookies: profile => profile.cookies ?? [],
  headers: profile => profile.headers ?? []
}

const Snapshot = {
  htmlUrl: (snapshot, _, ctx) => `${ctx.baseUrl}/${snapshot.siteSlug}/snapshots/${snapshot.iid}`
}

const testArtifacts = urlOf => ({
  artifactURL: (test, { name }, ctx) => artifactUrl(ctx.baseUrl, test, name),
  mediaURL: (test, { name }, ctx) => artifactUrl(ctx.baseUrl, test, name),
  artifact: (test, { name }) => artifactJson(test, urlOf(test), name)
})

const Test = {
  // The live page/profile when it still exists, else what was tested.
  page: (test, _, ctx) => siteOf(ctx, test.siteSlug)?.pages.find(p => p.uuid === test.page.uuid) ?? { ...test.page, position: null, canonical: false },
  testProfile: (test, _, ctx) =>
    siteOf(ctx, test.siteSlug)?.testProfiles.find(p => p.uuid === test.testProfile.uuid) ??
    { ...test.testProfile, device: null, connection: null, jsIsDisabled: false, cookies: [], headers: [], blockedThirdParties: [], position: null, createdAt: 0, updatedAt: 0 },
  ...testArtifacts(test => test.page.url)
}

const SinglePageTest = {
  formattedTestUrl: (test, _, ctx) => `${ctx.baseUrl}/tests/${test.uuid}`,
  device: (test, _, ctx) => deviceOf(ctx, test.device),
  connection: (test, _, ctx) => connectionOf(ctx, test.connection),
  location: (test, _, ctx) => locationOf(ctx, test.location),
  markdownReport: (test, _, ctx) => singlePageTestReport(test, {
    location: locationOf(ctx, test.location),
    device: deviceOf(ctx, test.device),
    connection: connectionOf(ctx, test.connection),
    metrics: ctx.data.metrics.synthetic
  }),
  ...testArtifacts(test => test.url)
}

function siteBudgets (ctx, review) {
  const site = siteOf(ctx, review.siteSlug)
  return (site?.metricBudgets ?? []).map(b => ({ ...b, metric: metricOf(ctx, b.measurement), status: budgetStatus(ctx, b) }))
}

const PullRequestReview = {
  markdownReport: (review, _, ctx) => pullRequestReviewReport(review, siteBudgets(ctx, review)),
  metricBudgetStatus: (review, _, ctx) => {
    if (review.metricBudgetStatus || review.status !== 'completed') return review.metricBudgetStatus ?? null
    return siteBudgets(ctx, review).some(b => b.status === 'over_budget') ? 'over_budget' : 'within_budget'
  }
}

const Deploy = {
  url: (deploy, _, ctx) => `${ctx.baseUrl}/${deploy.siteSlug}/deploys/${deploy.uuid}`
}

const MetricBudget = {
  metric: (budget, _, ctx) => metricOf(ctx, budget.measurement),
  status: (budget, _, ctx) => budgetStatus(ctx, budget),
  budgets: (budget, _, ctx) => budgetRows(ctx, budget)
}

const CruxUrl = cruxResolvers(url => url.uuid)

const RumConfig = {
  endpoint: (config, _, ctx) => absolute(ctx, config.endpoint),
  allowedOrigins: config => config.allowedOrigins ?? []
}

// ---------------------------------------------------------------- mutations

const Mutation = {
  createSite (_, { attributes }, ctx) {
    const a = sent(attributes)
    const team = a.team ?? ctx.token.team ?? ctx.data.teams[0]?.slug
    const agentSettings = { scheduleInterval: 'every_x_hours', ...sent(a.agentSettings) }
    const problems = [
      ...(blank(a.name) ? [{ path: ['attributes', 'name'], explanation: "name can't be blank" }] : []),
      ...teamProblems(ctx, team, ['attributes', 'team']),
      ...(a.pages ?? []).flatMap((page, i) => blank(page.url) ? [{ path: ['attributes', 'pages', i, 'url'], explanation: "page url can't be blank" }] : []),
      ...(a.testProfiles ?? []).flatMap((profile, i) => blank(profile.name) ? [{ path: ['attributes', 'testProfiles', i, 'name'], explanation: "test profile name can't be blank" }] : []),
      ...agentSettingsProblems(ctx, agentSettings, ['attributes', 'agentSettings'])
    ]
    check('Site could not be created', problems)
    return ctx.store.addSite({
      name: a.name.trim(),
      team,
      createdAt: ctx.now,
      agentSettings,
      pages: (a.pages ?? []).map(p => ({ ...sent(p), name: p.name ?? defaultPageName(p.url), canonical: p.canonical ?? false })),
      testProfiles: (a.testProfiles?.length ? a.testProfiles : DEFAULT_PROFILES).map(p => ({
        ...sent(p),
        cookies: normaliseCookies(p.cookies),
        headers: normaliseHeaders(p.headers)
      }))
    })
  },

  updateSiteSettings (_, { site: slug, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const a = sent(attributes)
    const problems = [
      ...('name' in a && blank(a.name) ? [{ path: ['attributes', 'name'], explanation: "name can't be blank" }] : []),
      ...('team' in a ? teamProblems(ctx, a.team, ['attributes', 'team']) : [])
    ]
    check('Site settings could not be updated', problems)
    if ('name' in a) site.name = a.name.trim()
    if ('canonicalUrl' in a) site.canonicalUrl = a.canonicalUrl
    if ('team' in a) site.team = a.team
    if ('cookies' in a) site.cookies = normaliseCookies(a.cookies)
    if ('headers' in a) site.headers = normaliseHeaders(a.headers)
    if ('authenticationSettings' in a) {
      const auth = { ...site.authenticationSettings, ...sent(a.authenticationSettings) }
      auth.required = Boolean(auth.required)
      auth.warningMessage = auth.required && (blank(auth.url) || blank(auth.username))
        ? 'Authentication is required but the login URL or username is missing.'
        : null
      site.authenticationSettings = auth
    }
    site.updatedAt = ctx.now
    return site
  },

  deleteSite (_, { site: slug }, ctx) {
    return removeItem(ctx.data.sites, requireSite(ctx, slug))
  },

  createSnapshot (_, { site: slug, ref }, ctx) {
    const site = requireSite(ctx, slug)
    if (site.pages.length === 0 || site.testProfiles.length === 0) {
      throw new ApiError('Snapshot could not be created', [{ path: ['site'], explanation: 'the Site needs at least one page and one test profile' }])
    }
    return ctx.store.addSnapshot(site, { ref: ref ?? null, client: 'API' }, ctx.now, ctx.immediate)
  },

  deleteSnapshot (_, { site: slug, iid }, ctx) {
    const site = requireSite(ctx, slug)
    const snapshot = site.snapshots.find(s => String(s.iid) === String(iid).trim()) ??
      notFound('Snapshot', ['iid'], `No Snapshot #${iid} on Site "${site.slug}"`)
    return removeItem(site.snapshots, snapshot)
  },

  createTest (_, args, ctx) {
    const problems = []
    if (!locationOf(ctx, args.location)) problems.push({ path: ['location'], explanation: `location "${args.location}" does not exist` })
    if (args.expiresAt !== null && args.expiresAt !== undefined && args.expiresAt <= ctx.now) {
      problems.push({ path: ['expiresAt'], explanation: 'expiresAt must be in the future' })
    }
    check('Test could not be created', problems)
    return ctx.store.addSinglePageTest({
      ...sent(args),
      cookies: normaliseCookies(args.cookies),
      headers: normaliseHeaders(args.headers)
    }, ctx.now, ctx.immediate)
  },

  startPullRequestReview (_, { site: slug, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const a = sent(attributes)
    const problems = ['url', 'branch', 'sha'].flatMap(key =>
      blank(a[key]) ? [{ path: ['attributes', key], explanation: `${key} can't be blank` }] : [])
    check('Pull Request Review could not be started', problems)
    return ctx.store.addPullRequestReview(site, { ...a, title: blank(a.title) ? a.branch : a.title }, ctx.now, ctx.immediate)
  },

  createTestProfile (_, { site: slug, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const a = sent(attributes)
    check('Test Profile could not be created', blank(a.name) ? [{ path: ['attributes', 'name'], explanation: "name can't be blank" }] : [])
    return ctx.store.addTestProfile(site, { ...a, name: a.name.trim(), cookies: normaliseCookies(a.cookies), headers: normaliseHeaders(a.headers) }, ctx.now)
  },

  updateTestProfile (_, { site: slug, uuid, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const profile = requireItem(site.testProfiles, uuid, 'Test Profile', site)
    const a = sent(attributes)
    check('Test Profile could not be updated', 'name' in a && blank(a.name) ? [{ path: ['attributes', 'name'], explanation: "name can't be blank" }] : [])
    if ('cookies' in a) a.cookies = normaliseCookies(a.cookies)
    if ('headers' in a) a.headers = normaliseHeaders(a.headers)
    if ('blockedThirdParties' in a) a.blockedThirdParties = a.blockedThirdParties ?? []
    if ('jsIsDisabled' in a) a.jsIsDisabled = Boolean(a.jsIsDisabled)
    Object.assign(profile, a, { updatedAt: ctx.now })
    return profile
  },

  deleteTestProfile (_, { site: slug, uuid }, ctx) {
    const site = requireSite(ctx, slug)
    return removeItem(site.testProfiles, requireItem(site.testProfiles, uuid, 'Test Profile', site))
  },

  createPage (_, { site: slug, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const a = sent(attributes)
    const problems = ['name', 'url'].flatMap(key => blank(a[key]) ? [{ path: ['attributes', key], explanation: `${key} can't be blank` }] : [])
    check('Page could not be created', problems)
    if (a.canonical) for (const page of site.pages) page.canonical = false
    return ctx.store.addPage(site, { ...a, canonical: a.canonical ?? false }, ctx.now)
  },

  updatePage (_, { site: slug, uuid, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const page = requireItem(site.pages, uuid, 'Page', site)
    const a = sent(attributes)
    const problems = ['name', 'url'].flatMap(key => key in a && blank(a[key]) ? [{ path: ['attributes', key], explanation: `${key} can't be blank` }] : [])
    check('Page could not be updated', problems)
    if (a.canonical) for (const other of site.pages) other.canonical = false
    Object.assign(page, a, { updatedAt: ctx.now })
    return page
  },

  deletePage (_, { site: slug, uuid }, ctx) {
    const site = requireSite(ctx, slug)
    return removeItem(site.pages, requireItem(site.pages, uuid, 'Page', site))
  },

  createDeploy (_, { site: slug, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const a = sent(attributes)
    check('Deploy could not be created', blank(a.revision) ? [{ path: ['attributes', 'revision'], explanation: "revision can't be blank" }] : [])
    const deploy = {
      uuid: ctx.store.uuid(),
      siteSlug: site.slug,
      revision: a.revision,
      repository: a.repository ?? null,
      username: a.username ?? null,
      createdAt: a.createdAt ?? ctx.now
    }
    site.deploys.push(deploy)
    return deploy
  },

  deleteDeploy (_, { site: slug, uuid }, ctx) {
    const site = requireSite(ctx, slug)
    return removeItem(site.deploys, requireItem(site.deploys, uuid, 'Deploy', site))
  },

  createIntegration (_, { site: slug, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const a = sent(attributes)
    const problems = ['provider', 'url'].flatMap(key => blank(a[key]) ? [{ path: ['attributes', key], explanation: `${key} can't be blank` }] : [])
    check('Integration could not be created', problems)
    const integration = {
      uuid: ctx.store.uuid(),
      provider: a.provider,
      events: a.events ?? ['new_snapshot'],
      url: a.url,
      secret: a.secret ?? null,
      isDisabled: a.isDisabled ?? false
    }
    site.integrations.push(integration)
    return integration
  },

  updateIntegration (_, { site: slug, uuid, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const integration = requireItem(site.integrations, uuid, 'Integration', site)
    const a = sent(attributes)
    const problems = ['provider', 'url'].flatMap(key => key in a && blank(a[key]) ? [{ path: ['attributes', key], explanation: `${key} can't be blank` }] : [])
    check('Integration could not be updated', problems)
    if ('events' in a) a.events = a.events ?? []
    if ('isDisabled' in a) a.isDisabled = Boolean(a.isDisabled)
    return Object.assign(integration, a)
  },

  deleteIntegration (_, { site: slug, uuid }, ctx) {
    const site = requireSite(ctx, slug)
    return removeItem(site.integrations, requireItem(site.integrations, uuid, 'Integration', site))
  },

  createMetricBudget (_, { site: slug, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const a = sent(attributes)
    const problems = [
      ...['measurement', 'value'].flatMap(key => blank(a[key]) ? [{ path: ['attributes', key], explanation: `${key} can't be blank` }] : []),
      ...pageUuidProblems(site, a.pages, site.pages, 'Page', ['attributes', 'pages']),
      ...pageUuidProblems(site, a.profiles, site.testProfiles, 'Test Profile', ['attributes', 'profiles'])
    ]
    check('Metric Budget could not be created', problems)
    const budget = {
      uuid: ctx.store.uuid(),
      siteSlug: site.slug,
      measurement: a.measurement,
      value: a.value,
      pages: a.pages ?? [],
      profiles: a.profiles ?? [],
      createdAt: ctx.now
    }
    site.metricBudgets.push(budget)
    return budget
  },

  updateMetricBudget (_, { site: slug, uuid, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    const budget = requireItem(site.metricBudgets, uuid, 'Metric Budget', site)
    const a = sent(attributes)
    const problems = [
      ...['measurement', 'value'].flatMap(key => key in a && blank(a[key]) ? [{ path: ['attributes', key], explanation: `${key} can't be blank` }] : []),
      ...pageUuidProblems(site, a.pages, site.pages, 'Page', ['attributes', 'pages']),
      ...pageUuidProblems(site, a.profiles, site.testProfiles, 'Test Profile', ['attributes', 'profiles'])
    ]
    check('Metric Budget could not be updated', problems)
    if ('pages' in a) a.pages = a.pages ?? []
    if ('profiles' in a) a.profiles = a.profiles ?? []
    return Object.assign(budget, a)
  },

  deleteMetricBudget (_, { site: slug, uuid }, ctx) {
    const site = requireSite(ctx, slug)
    return removeItem(site.metricBudgets, requireItem(site.metricBudgets, uuid, 'Metric Budget', site))
  },

  updateAgentSettings (_, { site: slug, attributes }, ctx) {
    const site = requireSite(ctx, slug)
    // A null location or interval keeps the current one; a null anchor clears it.
    const changes = Object.fromEntries(Object.entries(sent(attributes)).filter(([key, v]) => v !== null || key === 'scheduleAnchor'))
    const merged = { ...site.agentSettings, ...changes }
    check('Agent settings could not be updated', agentSettingsProblems(ctx, merged, ['attributes']))
    site.agentSettings = merged
    return { agentSettings: merged }
  }
}

const resolvers = {
  Query,
  Mutation,
  Organisation,
  Site,
  AgentSettings,
  TestProfile,
  Snapshot,
  Test,
  SinglePageTest,
  PullRequestReview,
  Deploy,
  MetricBudget,
  CruxUrl,
  RumConfig
}

module.exports = { resolvers, ApiError, encodeCursor, decodeCursor }
