// Configuration from the environment, validated once at start-up; a bad value stops start-up naming the variable.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const environment = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('localhost'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  FILE_STORE_DIR: z.string().min(1).optional(),
  PRODUCT_MAX_BYTES: positiveInt(25 * 1024 * 1024),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  PSEUDONYM_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  SOTP_DEMO_PASSWORD: z.string().min(12, 'must be at least 12 characters').default('demo-password-change-me'),
  SESSION_IDLE_MINUTES: positiveInt(30),
  SESSION_ABSOLUTE_HOURS: positiveInt(12),
  SIGN_IN_MAX_FAILURES: positiveInt(10),
  SIGN_IN_WINDOW_MINUTES: positiveInt(15),
  RECORDING_MAX_BYTES: positiveInt(5 * 1024 ** 3),
  RECORDING_RETENTION_DAYS: positiveInt(365),
  RECORDING_UPLOAD_CHUNK_BYTES: positiveInt(50 * 1024 ** 2),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** Where uploaded files live (participants' work, recordings): FILE_STORE_DIR, or a files folder in DATA_DIR. */
  fileStoreDir: string;
  /** The largest participant's work (a product) accepted, in bytes. */
  productMaxBytes: number;
  sessionSecret: string;
  /** HMAC key behind researchers' pseudonyms: stable, secret, never shown. */
  pseudonymKey: string;
  demoPassword: string;
  session: { idleMinutes: number; absoluteHours: number };
  signIn: { maxFailures: number; windowMinutes: number };
  logLevel: string;
  secureCookies: boolean;
  /** Largest upload, days kept after the group ends, and the size of each piece the upload page sends. */
  recordings: { maxBytes: number; retentionDays: number; chunkBytes: number };
}

export class ConfigError extends Error {}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new ConfigError('SESSION_SECRET: must be set in production (at least 32 characters)');
  }
  if (e.NODE_ENV === 'production' && !e.PSEUDONYM_KEY) {
    throw new ConfigError('PSEUDONYM_KEY: must be set in production (at least 32 characters)');
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    fileStoreDir: e.FILE_STORE_DIR ?? join(e.DATA_DIR, 'files'),
    productMaxBytes: e.PRODUCT_MAX_BYTES,
    // Outside production a per-process secret is enough: it only signs the CSRF cookie.
    sessionSecret: e.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    // Outside production a fixed key keeps pseudonyms stable across restarts of a demo or test database.
    pseudonymKey: e.PSEUDONYM_KEY ?? 'development-only-pseudonym-key-not-secret',
    demoPassword: e.SOTP_DEMO_PASSWORD,
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
    signIn: { maxFailures: e.SIGN_IN_MAX_FAILURES, windowMinutes: e.SIGN_IN_WINDOW_MINUTES },
    logLevel: e.LOG_LEVEL,
    secureCookies: e.NODE_ENV === 'production',
    recordings: { maxBytes: e.RECORDING_MAX_BYTES, retentionDays: e.RECORDING_RETENTION_DAYS, chunkBytes: e.RECORDING_UPLOAD_CHUNK_BYTES },
  };
}
