'use strict'

// Test artifacts: the URLs that artifactURL/mediaURL return and the small,
// well-formed files served at those URLs (GET /artifacts/<test uuid>/<file>).
// Real Calibre hands out signed storage URLs that need no API token; so does
// the fake.

/** GraphQL artifact/media enum value -> file name under /artifacts/<uuid>/. */
const ARTIFACT_FILES = {
  TEST_ARTIFACT_HAR: 'requests.har',
  TEST_ARTIFACT_LIGHTHOUSE: 'lighthouse.json',
  TEST_ARTIFACT_RUNTIME_ERROR: 'runtime-error.json',
  TEST_MEDIA_IMAGE: 'image.jpg',
  TEST_MEDIA_VIDEO: 'render.mp4'
}

// Just the leading bytes of each format: enough for type sniffing, not a picture.
const JPEG_BYTES = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex')
const MP4_BYTES = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex')

/** A single page test or snapshot test by uuid, with the URL it tested. */
function findTest (data, uuid) {
  const single = data.singlePageTests.find(t => t.uuid === uuid)
  if (single) return { test: single, url: single.url }
  for (const site of data.sites) {
    for (const snapshot of site.snapshots) {
      const test = snapshot.tests.find(t => t.uuid === uuid)
      if (test) return { test, url: test.page.url }
    }
  }
  return null
}

/** {code, message} for tests that errored or timed out, else null. */
function runtimeError (test) {
  if (test.status === 'errored') {
    return {
      code: 'INTERSTITIAL_ERROR',
      message: 'Calibre was unable to load the page. Please make sure the page URL and site authentication settings are correct.'
    }
  }
  if (test.status === 'timeout') {
    return { code: 'TIMEOUT', message: 'The test did not finish within the time allowed.' }
  }
  return null
}

/** Whether `name` (an ARTIFACT_FILES key) exists for the test right now. */
function hasArtifact (test, name) {
  if (name === 'TEST_ARTIFACT_RUNTIME_ERROR') return runtimeError(test) !== null
  return test.status === 'completed'
}

/** The download URL of an artifact, or null while it does not exist. */
function artifactUrl (baseUrl, test, name) {
  return hasArtifact(test, name) ? `${baseUrl}/artifacts/${test.uuid}/${ARTIFACT_FILES[name]}` : null
}

/** The parsed JSON content of an artifact (for the `artifact` field), or null. */
function artifactJson (test, url, name) {
  if (!hasArtifact(test, name)) return null
  const measured = Object.fromEntries(test.measurements.map(m => [m.name, m.value]))
  switch (name) {
    case 'TEST_ARTIFACT_RUNTIME_ERROR':
      return runtimeError(test)
    case 'TEST_ARTIFACT_HAR':
      return {
        log: {
          version: '1.2',
          creator: { name: 'calibre-native fake API', version: '1.0' },
          pages: [{ id: 'page_1', title: url, startedDateTime: new Date(test.updatedAt ?? 0).toISOString(), pageTimings: {} }],
          entries: [{
            pageref: 'page_1',
            startedDateTime: new Date(test.updatedAt ?? 0).toISOString(),
            time: measured['time-to-first-byte'] ?? 0,
            request: { method: 'GET', url, httpVersion: 'HTTP/2', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
            response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/2', headers: [], cookies: [], content: { size: 0, mimeType: 'text/html' }, redirectURL: '', headersSize: -1, bodySize: -1 },
            cache: {},
            timings: { send: 0, wait: measured['time-to-first-byte'] ?? 0, receive: 0 }
          }]
        }
      }
    case 'TEST_ARTIFACT_LIGHTHOUSE':
      return {
        lighthouseVersion: '12.0.0',
        requestedUrl: url,
        finalUrl: url,
        fetchTime: new Date(test.updatedAt ?? 0).toISOString(),
        categories: {
          performance: { score: (measured['lighthouse-performance-score'] ?? 0) / 100 },
          accessibility: { score: (measured['lighthouse-accessibility-score'] ?? 0) / 100 },
          'best-practices': { score: (measured['lighthouse-best-practices-score'] ?? 0) / 100 },
          seo: { score: (measured['lighthouse-seo-score'] ?? 0) / 100 }
        },
        audits: Object.fromEntries(test.measurements.map(m => [m.name, { id: m.name, title: m.label, numericValue: m.value }]))
      }
    default:
      return null
  }
}

/** The HTTP body for GET /artifacts/<uuid>/<file>, or null for 404. */
function artifactFile (data, uuid, file) {
  const found = findTest(data, uuid)
  const name = Object.keys(ARTIFACT_FILES).find(key => ARTIFACT_FILES[key] === file)
  if (!found || !name || !hasArtifact(found.test, name)) return null
  if (name === 'TEST_MEDIA_IMAGE') return { contentType: 'image/jpeg', body: JPEG_BYTES }
  if (name === 'TEST_MEDIA_VIDEO') return { contentType: 'video/mp4', body: MP4_BYTES }
  return { contentType: 'application/json', body: JSON.stringify(artifactJson(found.test, found.url, name)) }
}

module.exports = { ARTIFACT_FILES, findTest, runtimeError, artifactUrl, artifactJson, artifactFile }
