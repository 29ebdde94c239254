// Pure parsing of the request parts the broker looks at: the Content-Type media type, the
// `since` query parameter (form-decoded, unsigned 64-bit), the bearer token, and
// the Host / Origin authorities the broker answers to (DNS-rebinding protection).
import { timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { isWildcardBind } from './bind.js';

/** True when the header's media type is exactly `application/json` (any case, any parameters). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semicolon = header.indexOf(';');
  const mediaType = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  return mediaType === 'application/json';
}

const U64_MAX = 18_446_744_073_709_551_615n;

export type SinceResult = { ok: true; since: bigint } | { ok: false; error: string };

function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/**
 * The `since` cursor of a query string (null when there is none): absent → 0; leading zeros
 * and a `%2B` plus sign accepted; empty, signed, spaced (`+5` decodes to ` 5`), non-digit or
 * ≥ 2^64 values rejected. Other parameters are ignored; a repeated `since` is an error.
 */
export function parseSince(query: string | null): SinceResult {
  let raw: string | undefined;
  for (const pair of (query ?? '').split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = formDecode(equals === -1 ? pair : pair.slice(0, equals));
    const value = formDecode(equals === -1 ? '' : pair.slice(equals + 1));
    if (name === undefined || value === undefined)
      return { ok: false, error: 'invalid query string: bad percent-encoding' };
    if (name !== 'since') continue;
    if (raw !== undefined) return { ok: false, error: 'invalid query string: duplicate field `since`' };
    raw = value;
  }
  if (raw === undefined) return { ok: true, since: 0n };
  if (!/^\+?[0-9]+$/.test(raw)) return { ok: false, error: 'since must be a valid u64' };
  const since = BigInt(raw.startsWith('+') ? raw.slice(1) : raw);
  return since > U64_MAX ? { ok: false, error: 'since must be a valid u64' } : { ok: true, since };
}

/** Why the Authorization header does not carry `token`, or undefined when it does. */
export function bearerProblem(header: string | undefined, token: string): string | undefined {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  if (!match) return 'missing bearer token — send the header "Authorization: Bearer $GIT_PAW_BROKER_TOKEN"';
  const given = Buffer.from(match[1] ?? '', 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? undefined
    : 'invalid bearer token';
}

function authority(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
}

/**
 * Authorities (`host:port`, lower case) a request's Host may name: the loopback spellings and
 * the configured bind; with a wildcard bind also this machine's addresses and host name.
 */
export function allowedAuthorities(bind: string, port: number): Set<string> {
  const hosts = ['127.0.0.1', 'localhost', '::1'];
  if (isWildcardBind(bind)) {
    hosts.push(hostname());
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) hosts.push(address.address.replace(/%.*$/, ''));
    }
  } else {
    hosts.push(bind);
  }
  return new Set(hosts.map((host) => authority(host, port)));
}

/** Why the Host / Origin headers do not name this broker, or undefined when they do. */
export function hostProblem(
  host: string | undefined,
  origin: string | undefined,
  allowed: Set<string>,
): string | undefined {
  const shown = (text: string) => (text.length > 100 ? `${text.slice(0, 100)}…` : text);
  if (host === undefined || host === '') return 'missing Host header';
  if (!allowed.has(host.toLowerCase())) return `Host '${shown(host)}' is not this broker's address`;
  if (origin !== undefined) {
    const lower = origin.toLowerCase();
    if (!lower.startsWith('http://') || !allowed.has(lower.slice('http://'.length)))
      return `Origin '${shown(origin)}' is not allowed`;
  }
  return undefined;
}
