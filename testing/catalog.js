'use strict'

// Reference data that Calibre serves to every organisation: test locations,
// emulated devices, connection speeds and the metric catalogues.
//
// The tags here must match the enums in schema.graphql (LocationTag, DeviceTag,
// ConnectionTag) and the Known…Tag unions of the package typings;
// __test__/fake-api.spec.mjs checks both. Only tags with a public source are
// listed, each with it. Identifiers, short names, screen sizes and most titles
// are the fake's own; agent addresses come from the documentation ranges
// (RFC 5737), never real hosts.

// Tag, name and flag: the "View Agent IP addresses" table of Calibre's Test
// Agent documentation, https://calibreapp.com/docs/synthetic/test-agent
// (columns Location and API LocationTag). That page names 17 locations; these
// are the ones it spells out.
const LOCATIONS = [
  ['Singapore', 'singapore', 'Singapore', 'SIN', '🇸🇬', ['192.0.2.10']],
  ['Mumbai', 'mumbai', 'Mumbai, India', 'BOM', '🇮🇳', ['203.0.113.30']],
  ['Tokyo', 'tokyo', 'Tokyo, Japan', 'NRT', '🇯🇵', ['192.0.2.30']],
  ['SaoPaulo', 'sao-paulo', 'São Paulo, Brazil', 'GRU', '🇧🇷', ['198.51.100.30']],
  ['Seoul', 'seoul', 'Seoul, Korea', 'ICN', '🇰🇷', ['192.0.2.40']],
  ['Ohio', 'ohio', 'Ohio, USA', 'CMH', '🇺🇸', ['198.51.100.40']],
  ['Oregon', 'oregon', 'Oregon, USA', 'PDX', '🇺🇸', ['198.51.100.20']],
  ['Ireland', 'ireland', 'Ireland', 'DUB', '🇮🇪', ['203.0.113.10', '203.0.113.11']],
  ['Sydney', 'sydney', 'Sydney, Australia', 'SYD', '🇦🇺', ['192.0.2.20', '192.0.2.21']],
  ['California', 'california', 'Northern California, USA', 'SFO', '🇺🇸', ['198.51.100.50']],
  ['Frankfurt', 'frankfurt', 'Frankfurt, Germany', 'FRA', '🇩🇪', ['203.0.113.20']],
  // Also the name in calibreapp/cli's test fixtures (__tests__/fixtures/completedTest.json).
  ['NorthVirginia', 'north-virginia', 'North Virginia, USA', 'IAD', '🇺🇸', ['198.51.100.10', '198.51.100.11']]
].map(([tag, identifier, name, shortName, emoji, ips]) => ({
  tag,
  identifier,
  name,
  shortName,
  emoji,
  agents: ips.map(ipv4 => ({ ipv4 }))
}))

// Tags: the default Test Profiles that calibre@7's `calibre site create` sends
// (src/cli/site/create.js in the calibre package: Desktop, iPhone12,
// MotorolaMotoGPower). Types: `phone`, `tablet` or `desktop` (calibre@7
// CHANGELOG.md, 5.0.2: "device type: `phone` `tablet` or `desktop`").
const DEVICES = [
  ['Desktop', 'Desktop', 1920, 1080, 'desktop', false],
  ['iPhone12', 'iPhone 12', 390, 844, 'phone', false],
  ['MotorolaMotoGPower', 'Motorola Moto G Power', 412, 823, 'phone', false]
].map(([tag, title, screenWidth, screenHeight, type, isDiscontinued]) => ({
  tag,
  title,
  screenWidth,
  screenHeight,
  type,
  isDiscontinued
}))

// Tags: cable, LTE and regular3G from the same default Test Profiles (calibre@7
// src/cli/site/create.js), good3G from calibreapp/cli examples/bash/create-test.sh.
// The tag is lower-case `cable`: calibre@7 sends it to the API for every site
// it creates, and the examples that create profiles spell it so; `Cable` (in
// one update example) is its title, as test reports show it
// (calibreapp/cli __tests__/fixtures/completedTest.json, "Connection Speed").
const CONNECTIONS = [
  ['cable', 'Cable'],
  ['LTE', '4G LTE'],
  ['good3G', 'Good 3G'],
  ['regular3G', 'Regular 3G']
].map(([tag, title]) => ({ tag, title }))

const PERFORMANCE = { name: 'performance', label: 'Performance' }
const LIGHTHOUSE = { name: 'lighthouse', label: 'Lighthouse' }
const PAGE_WEIGHT = { name: 'page-weight', label: 'Page Weight' }
const COMPLEXITY = { name: 'complexity', label: 'Complexity' }

// `sample` is the [min, max] range the fake draws plausible values from;
// `decimals` is how many decimals those values keep. Both are fake-only.
function metric (name, label, shortLabel, formatter, category, stops, sample, extra = {}) {
  const [goodStop, poorStop] = stops
  return {
    name,
    value: name,
    label,
    shortLabel,
    budgetThreshold: extra.higherIsBetter ? 'GreaterThan' : 'LessThan',
    formatter,
    docsPath: `/docs/metrics/${name}`,
    goodStop,
    poorStop,
    recommended: Boolean(extra.recommended),
    category,
    sample,
    decimals: extra.decimals ?? 0
  }
}

// Synthetic (lab) metrics: `name` and `value` are the hyphenated tags that
// MetricTag accepts, e.g. 'first-contentful-paint'. Tags as in calibreapp/cli's
// fixtures (__tests__/fixtures/completedTest.json, listMetrics.json), except
// cumulative-layout-shift and total-blocking-time: Lighthouse's audit ids, which
// Calibre's Lighthouse metrics are named after (first-contentful-paint,
// first-meaningful-paint, consistently-interactive, dom-size, …).
const SYNTHETIC_METRICS = [
  metric('first-contentful-paint', 'First Contentful Paint', 'FCP', 'humanDuration', PERFORMANCE, [1800, 3000], [600, 4200], { recommended: true }),
  metric('largest-contentful-paint', 'Largest Contentful Paint', 'LCP', 'humanDuration', PERFORMANCE, [2500, 4000], [900, 5600], { recommended: true }),
  metric('cumulative-layout-shift', 'Cumulative Layout Shift', 'CLS', 'unitless', PERFORMANCE, [0.1, 0.25], [0, 0.4], { recommended: true, decimals: 3 }),
  metric('total-blocking-time', 'Total Blocking Time', 'TBT', 'humanDuration', PERFORMANCE, [200, 600], [0, 1200], { recommended: true }),
  metric('speed_index', 'Speed Index', 'SI', 'humanDuration', PERFORMANCE, [3400, 5800], [800, 7000]),
  metric('consistently-interactive', 'Time to Interactive', 'TTI', 'humanDuration', PERFORMANCE, [3800, 7300], [1200, 9000]),
  metric('time-to-first-byte', 'Time to First Byte', 'TTFB', 'humanDuration', PERFORMANCE, [800, 1800], [40, 2200]),
  metric('visually_complete', 'Visually Complete', 'VC', 'humanDuration', PERFORMANCE, [2500, 5000], [900, 6500]),
  metric('lighthouse-performance-score', 'Lighthouse Performance Score', 'Performance', 'number', LIGHTHOUSE, [90, 50], [35, 100], { higherIsBetter: true, recommended: true }),
  metric('lighthouse-accessibility-score', 'Lighthouse Accessibility Score', 'Accessibility', 'number', LIGHTHOUSE, [90, 50], [60, 100], { higherIsBetter: true }),
  metric('lighthouse-best-practices-score', 'Lighthouse Best Practices Score', 'Best Practices', 'number', LIGHTHOUSE, [90, 50], [60, 100], { higherIsBetter: true }),
  metric('lighthouse-seo-score', 'Lighthouse SEO Score', 'SEO', 'number', LIGHTHOUSE, [90, 50], [70, 100], { higherIsBetter: true }),
  metric('page_size_in_bytes', 'Total Page transferred', 'Page Size', 'humanBytes', PAGE_WEIGHT, [1600000, 4000000], [400000, 5000000], { recommended: true }),
  metric('js_size_in_bytes', 'Total JavaScript transferred', 'JS Size', 'humanBytes', PAGE_WEIGHT, [350000, 1000000], [80000, 1400000]),
  metric('image_size_in_bytes', 'Total Image transferred', 'Image Size', 'humanBytes', PAGE_WEIGHT, [500000, 2000000], [50000, 2500000]),
  metric('asset_count', 'Number of requests', 'Requests', 'number', COMPLEXITY, [60, 150], [20, 220]),
  metric('dom-size', 'DOM Element Count', 'DOM Size', 'number', COMPLEXITY, [800, 1400], [200, 2200])
]

// Chrome UX Report (field) metrics, as named in calibreapp/cli's
// __tests__/fixtures/cruxSummary.json.
const CRUX_METRICS = [
  metric('cruxLargestContentfulPaint', 'Largest Contentful Paint', 'LCP', 'humanDuration', PERFORMANCE, [2500, 4000], [1200, 4800], { recommended: true }),
  metric('cruxCumulativeLayoutShift', 'Cumulative Layout Shift', 'CLS', 'unitless', PERFORMANCE, [0.1, 0.25], [0, 0.3], { recommended: true, decimals: 2 }),
  metric('cruxInteractionToNextPaint', 'Interaction to Next Paint', 'INP', 'humanDuration', PERFORMANCE, [200, 500], [60, 650], { recommended: true }),
  metric('cruxTimeToFirstByte', 'Time to First Byte', 'TTFB', 'humanDuration', PERFORMANCE, [800, 1800], [150, 2200])
]

// Real User Monitoring metrics: their tags are the short names calibre@7
// sends by default (lcp, cls, inp, ttfb, fcp, rtt: DEFAULT_METRICS in
// src/api/rum.js of the calibre package).
const RUM_METRICS = [
  ['lcp', 'Largest Contentful Paint', 'LCP', 'humanDuration', [2500, 4000], [900, 5000], 0],
  ['cls', 'Cumulative Layout Shift', 'CLS', 'unitless', [0.1, 0.25], [0, 0.35], 3],
  ['inp', 'Interaction to Next Paint', 'INP', 'humanDuration', [200, 500], [40, 700], 0],
  ['fcp', 'First Contentful Paint', 'FCP', 'humanDuration', [1800, 3000], [500, 3800], 0],
  ['ttfb', 'Time to First Byte', 'TTFB', 'humanDuration', [800, 1800], [80, 2400], 0],
  ['rtt', 'Round Trip Time', 'RTT', 'humanDuration', [150, 400], [20, 600], 0]
].map(([tag, label, shortLabel, formatter, stops, sample, decimals]) => ({
  ...metric(tag, label, shortLabel, formatter, null, stops, sample, { recommended: true, decimals }),
  docsPath: `/docs/metrics/rum/${tag}`
}))

/** Every string the MetricTag scalar accepts. */
const METRIC_TAGS = new Set([...SYNTHETIC_METRICS, ...CRUX_METRICS, ...RUM_METRICS].map(m => m.value))

module.exports = {
  LOCATIONS,
  DEVICES,
  CONNECTIONS,
  SYNTHETIC_METRICS,
  CRUX_METRICS,
  RUM_METRICS,
  METRIC_TAGS
}
