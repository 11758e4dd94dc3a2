// Keep an expiring API token alive from a cron job: report its status, refresh it when it
// expires within a day, and explain what to do when it already expired or this machine's
// IP address is not allowed.
//
// Run daily: node examples/refresh-token-cron.mjs   (exit code 1 when the token is unusable)
import { Token } from 'calibre-native'

const status = await Token.status({ check: true })
console.log(`Token ${status.masked} from ${status.source}${status.path ? ` (${status.path})` : ''}: ${status.check}`)

switch (status.check) {
  case 'valid': {
    const day = 24 * 60 * 60 * 1000
    if (status.expiresInMs === null || status.expiresInMs < day) {
      const refreshed = await Token.refresh()
      console.log(`Refreshed: expires ${refreshed.expiresAt ?? '(extended, date not reported)'}${refreshed.persisted ? ', stored' : ''}`)
    } else {
      console.log(`Expires ${status.expiresAt}: nothing to do`)
    }
    break
  }
  case 'expired':
    console.error('The token has expired. Re-save it in Calibre (Account → API Tokens → Edit → Save), or create a new one.')
    process.exitCode = 1
    break
  case 'ip-not-allowed':
    console.error("This machine's IP address is not in the token's Allowed IP Addresses: add it in Calibre.")
    process.exitCode = 1
    break
  default:
    console.error(`The token cannot be used: ${status.checkMessage}`)
    process.exitCode = 1
}
