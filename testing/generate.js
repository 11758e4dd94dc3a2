'use strict'

// Plausible, deterministic numbers for everything Calibre measures:
// lab measurements, CrUX field data, RUM data and time series.
// Every value depends only on a string key (site slug, test uuid, filter...),
// so the same question always gets the same answer.

const { SYNTHETIC_METRICS, CRUX_METRICS, RUM_METRICS } = require('./catalog')
const { unitFor, round } = require('./random')

const DAY_MS = 24 * 60 * 60 * 1000

/** 'good' | 'average' | 'poor' for a value against a metric's stops (null when no value). */
function grade (metric, value) {
  if (value === null || value === undefined) return null
  if (metric.budgetThreshold === 'GreaterThan') {
    if (value >= metric.goodStop) return 'good'
    return value < metric.poorStop ? 'poor' : 'average'
  }
  if (value <= metric.goodStop) return 'good'
  return value > metric.poorStop ? 'poor' : 'average'
}

/**
 * A value for `metric` drawn from its sample range. The draw is skewed towards
 * the "good" end so most seeded data grades good or average, like real sites.
 * `slowdown` > 1 makes timings slower and scores lower (mobile, phones).
 */
function sample (metric, key, slowdown = 1) {
  const [min, max] = metric.sample
  const u = unitFor(`${key}|${metric.value}`) ** 1.6
  if (metric.budgetThreshold === 'GreaterThan') {
    return round(Math.max(0, Math.min(100, (max - (max - min) * u) / slowdown)), metric.decimals)
  }
  return round((min + (max - min) * u) * slowdown, metric.decimals)
}

/** Lab measurements of one test: [{ name, label, value }] over the synthetic catalogue. */
function measurementsFor (key, slowdown = 1) {
  return SYNTHETIC_METRICS.map(metric => ({
    name: metric.value,
    label: metric.label,
    value: sample(metric, key, slowdown)
  }))
}

// ---------------------------------------------------------------- CrUX

const FORM_FACTOR_SLOWDOWN = { DESKTOP: 0.8, TABLET: 1.1, PHONE: 1.25 }
const MONTH_PERIODS = {
  THREE_MONTHS: 3,
  SIX_MONTHS: 6,
  NINE_MONTHS: 9,
  TWELVE_MONTHS: 12,
  EIGHTEEN_MONTHS: 18,
  TWENTY_FOUR_MONTHS: 24
}

/** p75 values of every CrUX metric for one origin or URL. */
function cruxAggregateMetrics (key, formFactor) {
  const slowdown = FORM_FACTOR_SLOWDOWN[formFactor] ?? 1
  return CRUX_METRICS.map(metric => {
    const value = sample(metric, `${key}|${formFactor ?? 'ALL'}`, slowdown)
    return { name: metric.name, value, grading: grade(metric, value), metric }
  })
}

/** Core Web Vitals assessment: 'pass' when LCP, CLS and INP are all good. */
function cruxCvwAssessment (key, formFactor) {
  const core = ['cruxLargestContentfulPaint', 'cruxCumulativeLayoutShift', 'cruxInteractionToNextPaint']
  const aggregates = cruxAggregateMetrics(key, formFactor).filter(a => core.includes(a.name))
  return aggregates.every(a => a.grading === 'good') ? 'pass' : 'fail'
}

/** Share of page loads per form factor; sums to 1. */
function cruxFormFactorDensity (key) {
  const phone = round(0.45 + 0.25 * unitFor(`${key}|phone`), 2)
  const tablet = round(0.02 + 0.06 * unitFor(`${key}|tablet`), 2)
  return { desktop: round(1 - phone - tablet, 2), phone, tablet }
}

/** Monthly p75 history per CrUX metric, newest collection period first. */
function cruxHistory (key, formFactor, timePeriod, nowMs) {
  const months = MONTH_PERIODS[timePeriod] ?? MONTH_PERIODS.SIX_MONTHS
  const now = new Date(nowMs)
  const slowdown = FORM_FACTOR_SLOWDOWN[formFactor] ?? 1
  return CRUX_METRICS.map(metric => ({
    metric,
    values: Array.from({ length: months }, (_, i) => {
      const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i - 1, 1)
      const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1) - 1000
      const p75Value = sample(metric, `${key}|${formFactor ?? 'ALL'}|${start}`, slowdown)
      return {
        collectionPeriodStart: start,
        collectionPeriodEnd: end,
        p75Value,
        p75Grading: grade(metric, p75Value)
      }
    })
  }))
}

// ---------------------------------------------------------------- RUM

const RUM_EXTRA_PATHS = ['/pricing', '/about', '/contact', '/blog']
const RUM_DEVICE_SHARE = { DESKTOP: 0.38, MOBILE: 0.55, TABLET: 0.07 }
/** Fields of a RUM aggregate row that `sortBy` may name (prefix '-' for descending). */
const RUM_SORT_FIELDS = ['path', 'count', 'sessionCount', ...RUM_METRICS.map(m => m.value)]

function pathOf (url) {
  try {
    return new URL(url).pathname
  } catch {
    return '/'
  }
}

/** One aggregate row: a value and grading for each requested metric, null for the rest. */
function rumRow (metrics, key, count, extra) {
  const row = { ...extra, count, sessionCount: Math.max(1, Math.round(count * 0.72)) }
  for (const metric of RUM_METRICS) {
    const requested = metrics.includes(metric)
    const value = requested ? sample(metric, key) : null
    row[metric.value] = value
    row[`${metric.value}Grading`] = grade(metric, value)
  }
  return row
}

function sortRows (rows, sortBy) {
  const descending = !sortBy || sortBy.startsWith('-')
  const field = sortBy ? sortBy.replace(/^-/, '') : 'sessionCount'
  return rows.sort((a, b) => {
    const x = a[field]
    const y = b[field]
    const order = typeof x === 'string' ? String(x).localeCompare(y) : (x ?? 0) - (y ?? 0)
    return descending ? -order : order
  })
}

/** Timestamps of the history buckets for a date bin, newest first. */
function rumBuckets (dateBin, duration, nowMs) {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS
  if (dateBin === 'TODAY') {
    const hours = Math.floor((nowMs - today) / 3600000) + 1
    return Array.from({ length: hours }, (_, i) => today + (hours - 1 - i) * 3600000)
  }
  if (dateBin === 'MONTH') {
    const now = new Date(nowMs)
    const months = Math.max(1, Math.ceil(duration / 30))
    return Array.from({ length: months }, (_, i) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1))
  }
  return Array.from({ length: duration }, (_, i) => today - i * DAY_MS)
}

/**
 * Everything the `rum` field can select, for one site and filter.
 * `metrics` are RUM metric catalogue entries (already resolved from tags).
 */
function rumReport (site, { metrics, filter, groupBy, limit, offset, sortBy }, nowMs) {
  const duration = filter.duration ?? 7
  const key = `${site.slug}|${JSON.stringify(filter)}`
  const deviceShare = filter.deviceType ? RUM_DEVICE_SHARE[filter.deviceType] : 1
  const countryShare = filter.countryCode?.length ? 0.18 * filter.countryCode.length : 1
  const perDay = 300 + Math.round(2400 * unitFor(`${site.slug}|traffic`))
  const totalViews = Math.max(1, Math.round(perDay * duration * deviceShare * countryShare))

  const pagePaths = [...new Set([...site.pages.map(p => pathOf(p.url)), ...RUM_EXTRA_PATHS])]
  const paths = filter.path?.length ? filter.path : pagePaths
  const weights = paths.map(path => 0.2 + unitFor(`${key}|${path}|weight`))
  const weightSum = weights.reduce((a, b) => a + b, 0)

  let aggregate
  let totalCount
  if (groupBy?.includes('PATH')) {
    const rows = paths.map((path, i) =>
      rumRow(metrics, `${key}|${path}`, Math.max(1, Math.round((totalViews * weights[i]) / weightSum)), { path }))
    sortRows(rows, sortBy)
    totalCount = rows.length
    const start = offset ?? 0
    aggregate = rows.slice(start, limit === null || limit === undefined ? undefined : start + limit)
  } else {
    totalCount = totalViews
    aggregate = [rumRow(metrics, key, totalViews, { path: null })]
  }

  const buckets = rumBuckets(filter.dateBin ?? 'DAY', duration, nowMs)
  const history = buckets.map(date =>
    rumRow(metrics, `${key}|${date}`, Math.max(1, Math.round((totalViews / buckets.length) * (0.7 + 0.6 * unitFor(`${key}|${date}|n`)))), { date }))

  const uxRating = metrics.map(metric => {
    const goodPercentage = round(55 + 40 * unitFor(`${key}|${metric.value}|good`), 1)
    const poorPercentage = round((100 - goodPercentage) * (0.2 + 0.3 * unitFor(`${key}|${metric.value}|poor`)), 1)
    return {
      metric: metric.value,
      goodPercentage,
      needsImprovementPercentage: round(100 - goodPercentage - poorPercentage, 1),
      poorPercentage,
      count: totalViews
    }
  })

  return {
    liveVisitors: Math.round(perDay / 24 / 6 * (0.5 + unitFor(`${site.slug}|${Math.floor(nowMs / 60000)}`))),
    distinctCountriesCount: filter.countryCode?.length || 5 + Math.round(40 * unitFor(`${site.slug}|countries`)),
    totalCount,
    metrics,
    aggregate,
    history,
    uxRating
  }
}

// ---------------------------------------------------------------- Time series

/**
 * Measurements of completed snapshots between `from` and `to` (ms, inclusive),
 * one series per (test profile, page, measurement). Series values line up with
 * `times`; a missing test gives null.
 */
function timeSeriesReport (site, { fromMs, toMs, measurements, pageUuids, profileUuids }) {
  const metrics = measurements.length
    ? measurements.map(tag => SYNTHETIC_METRICS.find(m => m.value === tag)).filter(Boolean)
    : SYNTHETIC_METRICS.filter(m => m.recommended)
  const pages = pageUuids.length ? site.pages.filter(p => pageUuids.includes(p.uuid)) : site.pages
  const profiles = profileUuids.length
    ? site.testProfiles.filter(p => profileUuids.includes(p.uuid))
    : site.testProfiles
  const snapshots = site.snapshots
    .filter(s => s.status === 'completed' && s.createdAt >= fromMs && s.createdAt <= toMs)
    .sort((a, b) => a.createdAt - b.createdAt)

  const times = snapshots.map(s => ({ name: `Snapshot #${s.iid}`, snapshot: s.iid, timestamp: s.createdAt }))
  const series = []
  const csv = ['timestamp,snapshot,profile,page,measurement,value']
  for (const profile of profiles) {
    for (const page of pages) {
      for (const metric of metrics) {
        const values = snapshots.map(snapshot => {
          const test = snapshot.tests.find(t => t.page.uuid === page.uuid && t.testProfile.uuid === profile.uuid)
          const measurement = test?.measurements.find(m => m.name === metric.value)
          return measurement ? measurement.value : null
        })
        series.push({
          name: `${profile.name} - ${page.name}`,
          profile: profile.uuid,
          page: page.uuid,
          measurement: metric.value,
          values
        })
        snapshots.forEach((snapshot, i) => {
          const when = new Date(snapshot.createdAt).toISOString()
          csv.push([when, snapshot.iid, JSON.stringify(profile.name), JSON.stringify(page.name), metric.value, values[i] ?? ''].join(','))
        })
      }
    }
  }
  return { times, series, pages, testProfiles: profiles, metrics, csv: csv.join('\n') + '\n' }
}

module.exports = {
  grade,
  sample,
  measurementsFor,
  cruxAggregateMetrics,
  cruxCvwAssessment,
  cruxFormFactorDensity,
  cruxHistory,
  rumReport,
  timeSeriesReport,
  RUM_SORT_FIELDS,
  MONTH_PERIODS
}
