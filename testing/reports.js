'use strict'

// The markdown reports Calibre attaches to single page tests and pull request
// reviews (the `markdownReport` fields). calibre@7's CLI prints them as-is.

const { runtimeError } = require('./artifacts')

/** 1234 ms -> '1.23 s', 123456 bytes -> '120.6 KB', following the metric's formatter. */
function formatValue (metric, value) {
  if (value === null || value === undefined) return '—'
  switch (metric?.formatter) {
    case 'humanDuration':
      return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`
    case 'humanBytes':
      return value < 1024 * 1024 ? `${(value / 1024).toFixed(1)} KB` : `${(value / 1024 / 1024).toFixed(2)} MB`
    default:
      return String(value)
  }
}

function table (rows) {
  return ['| Metric | Value |', '| --- | ---: |', ...rows.map(([label, value]) => `| ${label} | ${value} |`)].join('\n')
}

/** The report of a finished single page test; null while it is queued or running. */
function singlePageTestReport (test, { location, device, connection, metrics }) {
  if (test.status === 'queued' || test.status === 'running') return null
  const lines = [
    `# Single Page Test: ${test.url}`,
    '',
    `- Status: ${test.status}`,
    `- Location: ${location ? `${location.emoji} ${location.name}` : 'unknown'}`,
    `- Device: ${device ? device.title : 'No emulation'}`,
    `- Connection: ${connection ? connection.title : 'No throttling'}`,
    `- Finished: ${new Date(test.updatedAt).toISOString()}`,
    ''
  ]
  const error = runtimeError(test)
  if (error) {
    lines.push(`**${error.code}**: ${error.message}`)
  } else {
    const rows = test.measurements.map(m => [m.label, formatValue(metrics.find(x => x.value === m.name), m.value)])
    lines.push(table(rows))
  }
  return lines.join('\n') + '\n'
}

/** The report of a pull request review: a status line until it finishes. */
function pullRequestReviewReport (review, budgets) {
  if (review.status === 'queued' || review.status === 'running') {
    return `Calibre is reviewing \`${review.branch}\` (${review.status}).\n`
  }
  const lines = [
    `# Calibre Pull Request Review: ${review.title}`,
    '',
    `Preview: ${review.url} · Branch: \`${review.branch}\` · Commit: \`${String(review.sha).slice(0, 7)}\``,
    ''
  ]
  if (review.status !== 'completed') {
    lines.push(`The review ${review.status === 'timeout' ? 'timed out' : 'errored'}.`)
  } else if (budgets.length === 0) {
    lines.push('No metric budgets are set for this Site.')
  } else {
    lines.push(table(budgets.map(b => [b.metric?.label ?? b.measurement, `${b.status === 'over_budget' ? '❌' : '✅'} budget ${formatValue(b.metric, b.value)}`])))
  }
  return lines.join('\n') + '\n'
}

module.exports = { formatValue, singlePageTestReport, pullRequestReviewReport }
