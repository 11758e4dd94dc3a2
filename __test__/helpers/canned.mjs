// Canned GraphQL `data` for every operation calibre@7 sends, keyed by operationName, or by the
// root field for anonymous documents. The parity suite answers both packages from this table, so
// what they resolve to can be compared. Shapes follow the selection sets of calibre@7's documents.

const pageInfo = (more = {}) => ({ hasPreviousPage: false, hasNextPage: true, endCursor: 'Y3Vyc29yOjI=', startCursor: 'Y3Vyc29yOjE=', ...more })
const edges = (nodes) => nodes.map((node) => ({ node }))
const team = { name: 'Marketing', slug: 'marketing' }
const agents = [{ ipv4: '203.0.113.10' }, { ipv4: '203.0.113.11' }]
const location = { identifier: 'ap-southeast-2', name: 'Sydney, Australia', shortName: 'Sydney', emoji: '🇦🇺', tag: 'Sydney', agents }
const agentSettings = { location, scheduleAnchor: 3, scheduleInterval: 'daily' }
const cookie = { name: 'session', value: 'abc', domain: 'example.com', path: '/', secure: true, httpOnly: false }
const header = { name: 'X-Test', value: '1' }
const siteDetails = {
  slug: 'my-site', name: 'My Site', canonicalUrl: 'https://example.com', createdAt: '2024-01-02T03:04:05Z', team,
  authenticationSettings: { required: false, url: null, username: null, password: null, formSelector: null, usernameSelector: null, passwordSelector: null, warningMessage: null },
  headers: [header], cookies: [cookie],
}
const profile = {
  uuid: 'tp-1', name: 'Chrome Desktop', jsIsDisabled: false, hasDeviceEmulation: false, hasBandwidthEmulation: true, isMobile: false, position: 0,
  device: { tag: 'Desktop', title: 'Desktop' }, bandwidth: { tag: 'cable', title: 'Cable' }, cookies: [cookie], headers: [header],
  blockedThirdParties: [{ name: 'Google Analytics' }], updatedAt: '2024-01-02T03:04:05Z', createdAt: '2024-01-01T00:00:00Z',
}
const page = { uuid: 'pg-1', name: 'Home', url: 'https://example.com/', position: 0 }
const deploy = { uuid: 'dp-1', revision: 'abc123', repository: 'https://github.com/acme/site', url: 'https://github.com/acme/site/commit/abc123', username: 'me', createdAt: '2024-01-03T00:00:00Z' }
const integration = { uuid: 'in-1', provider: 'webhook', events: ['new_snapshot'], url: 'https://hooks.example.com', secret: 's3cret', isDisabled: false }
const budgetTarget = { page: { uuid: 'pg-1', name: 'Home' }, profile: { uuid: 'tp-1', name: 'Chrome Desktop' }, lastObservedValue: 2100, withinBudget: true }
const budget = { uuid: 'mb-1', measurement: 'largest-contentful-paint', value: 2500, status: 'met', budgets: [budgetTarget] }
const measurement = { name: 'largest-contentful-paint', label: 'Largest Contentful Paint', value: 2100 }
const singlePageTest = {
  uuid: 'spt-1', url: 'https://example.com', formattedTestUrl: 'https://calibreapp.com/tests/spt-1', status: 'completed', updatedAt: '2024-01-02T03:04:05Z', isPrivate: false,
  runtimeError: { code: 'NO_ERROR', message: '' }, markdownReport: '# Report', metrics: [measurement],
  device: { title: 'Desktop' }, connection: { title: 'Cable' }, location: { name: 'Sydney, Australia', emoji: '🇦🇺' },
}
const review = { title: 'Add hero image', status: 'completed', branch: 'feat', markdownReport: '# PR', metricBudgetStatus: 'met' }
const cruxMetric = { name: 'cruxLargestContentfulPaint', value: 1900, grading: 'good', metric: { label: 'Largest Contentful Paint', formatter: 'humanDuration' } }
const cruxHistory = [{
  metric: { name: 'cruxLargestContentfulPaint', label: 'Largest Contentful Paint', formatter: 'humanDuration' },
  values: [{ collectionPeriodStart: '2024-01-01', collectionPeriodEnd: '2024-01-28', p75Value: 1900, p75Grading: 'good' }],
}]
const density = { desktop: 0.6, phone: 0.35, tablet: 0.05 }
const rumAggregate = { lcp: 2000, lcpGrading: 'good', cls: 0.05, clsGrading: 'good', inp: 150, inpGrading: 'good', fcp: 1200, fcpGrading: 'good', ttfb: 400, ttfbGrading: 'good', rtt: 80, rttGrading: 'good', count: 1200, sessionCount: 900 }
const rumMetrics = [{ value: 'lcp', formatter: 'humanDuration' }, { value: 'cls', formatter: 'unitless' }]
const snapshotSummary = (iid) => ({ iid, htmlUrl: `https://calibreapp.com/snapshots/${iid}`, ref: iid === 2 ? null : `v${iid}`, client: 'api', createdAt: '2024-01-02T03:04:05Z', status: 'completed' })
const artifacts = { har: 'https://files.example/har', lighthouse: 'https://files.example/lh.json', image: 'https://files.example/img.png', video: 'https://files.example/video.mp4' }

/** operationName (or root field of an anonymous document) → `data`. */
export const CANNED = {
  // Site
  CreateSite: { createSite: { name: 'My Site', slug: 'my-site', team, agentSettings, testProfiles: [{ name: 'Chrome Desktop', uuid: 'tp-1' }], pagesList: { edges: edges([{ name: 'Home', uuid: 'pg-1' }]) } } },
  organisation: { organisation: { sites: [{ name: 'My Site', slug: 'my-site', createdAt: '2024-01-02T03:04:05Z', team, monitoringStatus: { synthetic: null, crux: 'CrUX not enabled', rum: null } }] } },
  DeleteSite: { deleteSite: { name: 'My Site', slug: 'my-site' } },
  GetSite: { organisation: { site: siteDetails } },
  UpdateSiteSettings: { updateSiteSettings: { ...siteDetails, name: 'Renamed' } },
  // Snapshot
  CreateSnapshot: { createSnapshot: { iid: 3, ref: 'v1.0', htmlUrl: 'https://calibreapp.com/snapshots/3', createdAt: '2024-01-02T03:04:05Z' } },
  DeleteSnapshot: { deleteSnapshot: { iid: 3 } },
  ListSnapshots: { organisation: { site: { snapshotsList: { pageInfo: pageInfo(), edges: edges([snapshotSummary(1), snapshotSummary(2)]) } } } },
  GetSnapshotArtifacts: { organisation: { site: { snapshot: { iid: 12, tests: [{ status: 'completed', ...artifacts, page: { uuid: 'pg-1', name: 'Home' }, testProfile: { uuid: 'tp-1', name: 'Chrome Desktop' } }] } } } },
  // Test
  CreateSinglePageTest: { createTest: { uuid: 'spt-1', formattedTestUrl: 'https://calibreapp.com/tests/spt-1' } },
  ListSinglePageTests: { organisation: { singlePageTests: [{ uuid: 'spt-1', url: 'https://example.com', formattedTestUrl: 'https://calibreapp.com/tests/spt-1', isPrivate: false, device: { title: 'Desktop' }, connection: { title: 'Cable' }, location: { emoji: '🇦🇺', shortName: 'Sydney' }, status: 'completed', updatedAt: '2024-01-02T03:04:05Z' }] } },
  GetSinglePageTest: { organisation: { singlePageTest: singlePageTest } },
  GetSinglePageTestArtifacts: { organisation: { singlePageTest: { uuid: 'spt-1', ...artifacts } } },
  // PullRequestReview
  StartPullRequestReview: { startPullRequestReview: { title: 'Add hero image', status: 'queued', branch: 'feat', markdownReport: null } },
  ListPullRequestReviews: { organisation: { site: { pullRequestReviews: [{ title: 'Add hero image', status: 'completed', branch: 'feat', sha: 'abc123', createdAt: '2024-01-02T03:04:05Z' }] } } },
  GetPullRequestReviewByBranch: { organisation: { site: { pullRequestReviews: [review, { ...review, status: 'errored' }] } } },
  // TestProfile
  CreateTestProfile: { createTestProfile: profile },
  ListTestProfiles: { organisation: { site: { testProfiles: [profile, { ...profile, uuid: 'tp-2', name: 'Phone', isMobile: true }] } } },
  UpdateTestProfile: { updateTestProfile: { ...profile, name: 'Renamed' } },
  DeleteTestProfile: { deleteTestProfile: { name: 'Chrome Desktop', uuid: 'tp-1' } },
  // Agent, Connection, Device (anonymous documents: keyed by root field)
  locations: { locations: [{ name: 'Sydney, Australia', shortName: 'Sydney', emoji: '🇦🇺', tag: 'Sydney', agents }] },
  __type: { __type: { enumValues: [{ name: 'cable' }, { name: 'LTE' }, { name: 'regular3G' }] } },
  emulatedDevices: { emulatedDevices: [{ tag: 'Desktop', title: 'Desktop', screenWidth: 1440, screenHeight: 900, type: 'desktop', isDiscontinued: false }] },
  // Page
  CreatePage: { createPage: page },
  ListPages: { organisation: { site: { pagesList: { pageInfo: pageInfo({ hasNextPage: false }), edges: edges([page, { ...page, uuid: 'pg-2', name: 'Pricing', position: 1 }]) } } } },
  DeletePage: { deletePage: { name: 'Home', uuid: 'pg-1' } },
  UpdatePage: { updatePage: { ...page, name: 'N' } },
  // SnapshotMetrics
  GetSnapshotMetrics: { organisation: { site: {
    snapshot: { iid: 3, tests: [{ page: { name: 'Home', url: 'https://example.com/' }, testProfile: { uuid: 'tp-1' }, measurements: [measurement] }], sequenceId: 3, htmlUrl: 'https://calibreapp.com/snapshots/3', status: 'completed', createdAt: '2024-01-02T03:04:05Z' },
    testProfiles: [{ uuid: 'tp-1', name: 'Chrome Desktop', device: { title: 'Desktop' }, bandwidth: { title: 'Cable' }, isMobile: false, jsIsDisabled: false, hasDeviceEmulation: false, hasBandwidthEmulation: true }],
  } } },
  // GraphQL.request documents used by the suite
  Q: { a: 'x', nested: { list: [1, null, 'two'] } },
  a: { a: 'x' },
  // TimeSeries
  TimeSeries: { organisation: { site: { timeSeries: {
    times: [{ name: '#3', snapshot: 3, timestamp: '2024-01-02T03:04:05Z' }],
    series: [{ name: 'Chrome Desktop - Home', profile: 'tp-1', page: 'pg-1', measurement: 'largest-contentful-paint', values: [2100] }],
    pages: [{ uuid: 'pg-1', name: 'Home', url: 'https://example.com/' }],
    testProfiles: [{ uuid: 'tp-1', name: 'Chrome Desktop', jsIsDisabled: false, hasDeviceEmulation: false, hasBandwidthEmulation: true, isMobile: false }],
    metrics: [{ name: 'largest-contentful-paint', label: 'Largest Contentful Paint', formatter: 'humanDuration', docsPath: '/docs/metrics/lcp' }],
    csv: 'time,value\n2024-01-02,2100',
  } } } },
  // Deploy
  CreateDeploy: { createDeploy: deploy },
  DeleteDeploy: { deleteDeploy: { uuid: 'dp-1' } },
  ListDeploys: { organisation: { site: { deploys: { pageInfo: pageInfo(), edges: edges([deploy]) } } } },
  // Integration
  CreateIntegration: { createIntegration: integration },
  DeleteIntegration: { deleteIntegration: { uuid: 'in-1' } },
  UpdateIntegration: { updateIntegration: { ...integration, isDisabled: true } },
  ListIntegrations: { organisation: { site: { integrationsList: { pageInfo: pageInfo(), edges: edges([integration]) } } } },
  // MetricBudget
  CreateMetricBudget: { createMetricBudget: budget },
  DeleteMetricBudget: { deleteMetricBudget: { uuid: 'mb-1' } },
  UpdateMetricBudget: { updateMetricBudget: { ...budget, value: 2000 } },
  ListMetricBudgets: { organisation: { site: { metricBudgetsList: { pageInfo: pageInfo(), edges: edges([{ ...budget, metric: { name: 'Largest Contentful Paint', value: 'largest-contentful-paint' } }]) } } } },
  // AgentSettings
  GetAgentSettings: { organisation: { site: { agentSettings } } },
  UpdateAgentSettings: { updateAgentSettings: { agentSettings: { ...agentSettings, scheduleInterval: 'hourly' } } },
  // Crux
  GetCruxSummary: { organisation: { site: { cruxCvwAssessment: 'good', cruxFormFactorDensity: density, cruxAggregateMetrics: [cruxMetric] } } },
  GetCruxHistory: { organisation: { site: { cruxHistory } } },
  ListCruxUrls: { organisation: { site: { cruxUrlsList: { edges: edges([{ uuid: 'cu-1', url: 'https://example.com/', name: 'Home', status: 'active', cruxCvwAssessment: 'good', cruxAggregateMetrics: [cruxMetric] }]) } } } },
  GetCruxUrl: { organisation: { site: { cruxUrl: { uuid: 'cu-1', url: 'https://example.com/', name: 'Home', status: 'active', cruxCvwAssessment: 'good', cruxFormFactorDensity: density, cruxAggregateMetrics: [cruxMetric], cruxHistory } } } },
  // Rum
  GetRumSummary: { organisation: { site: { rum: { liveVisitors: 4, distinctCountriesCount: 12, totalCount: 1200, metrics: rumMetrics, aggregate: [rumAggregate], uxRating: [{ metric: 'lcp', goodPercentage: 80, needsImprovementPercentage: 15, poorPercentage: 5, count: 1200 }] } } } },
  GetRumHistory: { organisation: { site: { rum: { metrics: rumMetrics, history: [{ date: '2024-01-01', ...rumAggregate }] } } } },
  GetRumPages: { organisation: { site: { rum: { totalCount: 2, metrics: rumMetrics, aggregate: [{ path: '/', ...rumAggregate }, { path: '/pricing', ...rumAggregate, lcp: 3100, lcpGrading: 'average' }] } } } },
  GetRumConfig: { organisation: { site: { rumConfig: { enabled: true, sampleRate: 1, allowedOrigins: ['https://example.com'], endpoint: 'https://rum.example', identifier: 'rum-1', dataRetentionMonths: 12, maxDataRetentionMonths: 24, excludeEu: false, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-02T00:00:00Z', suspendedAt: null, systemSuspended: false } } } },
}

/** The key of {@link CANNED} for a request body: its operationName, else the first field of the document. */
export function cannedKey(body) {
  if (body && typeof body.operationName === 'string') return body.operationName
  const m = /\{\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(body?.query ?? '')
  return m ? m[1] : undefined
}

/** A recorder reply answering from {@link CANNED}; unknown documents get a GraphQL error naming them. */
export function cannedReply(entry) {
  const key = cannedKey(entry.body)
  if (key && Object.hasOwn(CANNED, key)) return { body: { data: CANNED[key] } }
  return { body: { data: null, errors: [{ message: `no canned data for ${key}` }] } }
}
