import { pino, type DestinationStream, type Logger } from 'pino'
import type { LogLevel } from './config.ts'

// Never log a secret: these paths are censored wherever they appear in a log object.
const REDACT = [
  'req.headers.authorization',
  'headers.authorization',
  '*.RegistrationAccessToken',
  '*.registration_access_token',
  '*.client_secret',
  '*.OAuthClientSecret',
  '*.DCRRegistrationAccessToken',
  '*.initial_access_token'
]

export function createLogger (level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' } }
  return destination === undefined ? pino(options) : pino(options, destination)
}
