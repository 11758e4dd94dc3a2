// The README's patterns as a strict codebase writes them: compiled with `strict` and
// `exactOptionalPropertyTypes` (tsconfig.json), where an optional property given a possibly-undefined
// value (`process.env.X` is `string | undefined`) is an error unless the property's type admits
// `undefined`. Also: the tag types complete known values and still take new ones, and the package's
// internals are not in its typings. Type-checked, never run.
import { Agent, Calibre, Deploy, MetricBudget, Page, Site, Test, TestProfile, Token } from 'calibre-native'
import type { ConnectionTag, DeviceTag, KnownConnectionTag, KnownDeviceTag, KnownLocationTag, LocationTag, MetricTag } from 'calibre-native'
import * as calibreNative from 'calibre-native'
import { startFakeCalibre } from 'calibre-native/testing'

export async function readmePatterns(): Promise<void> {
  // Quick start: a client with its own token, straight from the environment.
  const other = new Calibre({ token: process.env.OTHER_TOKEN })
  await other.GraphQL.request({ query: '{ organisation { sites { slug } } }' })

  // Every client option, each possibly undefined.
  const maybeNumber: number | undefined = process.env.TIMEOUT ? Number(process.env.TIMEOUT) : undefined
  new Calibre({
    token: process.env.CALIBRE_API_TOKEN,
    host: process.env.CALIBRE_HOST,
    appHost: process.env.CALIBRE_APP_HOST,
    timeoutMs: maybeNumber,
    proxy: process.env.HTTPS_PROXY,
    ca: process.env.CORP_CA,
    maxResponseBytes: maybeNumber,
    retries: { max: maybeNumber, baseMs: maybeNumber, capMs: maybeNumber },
    autoRefresh: undefined,
    onTokenRefreshed: undefined,
  })

  // A deploy marker from CI variables (examples/deploy-marker.mjs).
  await Deploy.create({
    site: 'my-site',
    revision: process.env.GIT_SHA,
    repository: process.env.REPO,
    username: process.env.CI_USER,
  })

  // Trailing call options built from optional settings.
  const signal: AbortSignal | undefined = process.env.NO_ABORT ? undefined : AbortSignal.timeout(30_000)
  await Site.list({ signal, timeoutMs: maybeNumber })
  await Test.waitForTest('uuid', { intervalMs: maybeNumber, timeoutMs: maybeNumber, signal })
  for await (const page of Page.iterate({ site: 'my-site', pageSize: maybeNumber })) console.log(page.url)
  await Token.refresh({ token: process.env.CALIBRE_API_TOKEN, persist: undefined })

  // A single page test with optional settings from the command line.
  await Test.create({
    url: 'https://example.com',
    location: 'Sydney',
    device: process.env.DEVICE,
    connection: process.env.CONNECTION,
    isPrivate: undefined,
    webhookUrl: process.env.WEBHOOK_URL,
  })

  // The fake API's options too.
  const fake = await startFakeCalibre({ port: maybeNumber, seed: undefined })
  fake.tokens.create({ type: 'admin', team: process.env.TEAM, expiresIn: undefined })
  fake.failNext({ status: 503, delayMs: maybeNumber })
  await fake.close()
}

export async function tags(): Promise<void> {
  // Known tags are literal types (editors complete them) and every documented one is accepted.
  const locations: KnownLocationTag[] = ['Singapore', 'Mumbai', 'Tokyo', 'SaoPaulo', 'Seoul', 'Ohio', 'Oregon', 'Ireland', 'Sydney', 'California', 'Frankfurt', 'NorthVirginia']
  const devices: KnownDeviceTag[] = ['Desktop', 'iPhone12', 'MotorolaMotoGPower']
  const connections: KnownConnectionTag[] = ['cable', 'LTE', 'regular3G', 'good3G']
  const metrics: MetricTag[] = ['cumulative-layout-shift', 'total-blocking-time', 'largest-contentful-paint', 'lcp', 'cruxLargestContentfulPaint']
  // @ts-expect-error: 'Mars' is not a location
  const mars: KnownLocationTag = 'Mars'
  // @ts-expect-error: the connection tag is lower-case; 'Cable' is its display title
  const cable: KnownConnectionTag = 'Cable'
  // @ts-expect-error: device types are phone/tablet/desktop
  const mobile: KnownDeviceTag = 'mobile'
  void [mars, cable, mobile]

  // The open types still take tags the server adds later.
  const later: LocationTag = 'Mars'
  const newDevice: DeviceTag = 'Pixel9'
  const newConnection: ConnectionTag = 'fiber'
  await Test.create({ url: 'https://example.com', location: later, device: newDevice, connection: newConnection })
  await TestProfile.create({ site: 's', name: 'Phone', device: devices[1], connection: connections[1] })
  await MetricBudget.list({ site: 's', metric: metrics[0], count: 1 })
  for (const location of await Agent.list()) {
    const tag: LocationTag = location.tag
    if (locations.includes(tag as KnownLocationTag)) console.log(tag)
  }
}

// The package's internals are not part of its typings.
// @ts-expect-error: runCli is the bin shim's entry, not API
export const cli = calibreNative.runCli
// @ts-expect-error: __napiBindingTarget is napi's loader detail, not API
export const target = calibreNative.__napiBindingTarget
