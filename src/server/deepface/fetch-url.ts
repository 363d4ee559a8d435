import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { FacekitError } from '../../errors/index.js';

/**
 * deepface accepts an image URL and fetches it. For a server that is a request made on a
 * client's behalf (SSRF), so facekit fetches only when the operator turns it on, over http(s),
 * within a size and time limit, and never from private, loopback or link-local addresses (the
 * cloud metadata service, the admin port next door) unless those are allowed too.
 */
export interface UrlFetchPolicy {
  /** fetch http(s) URLs at all */
  enabled: boolean;
  /** also fetch from private, loopback and link-local addresses */
  allowPrivate: boolean;
  maxBytes: number;
  timeoutMs: number;
}

export const URLS_OFF: UrlFetchPolicy = { enabled: false, allowPrivate: false, maxBytes: 15 * 1024 * 1024, timeoutMs: 10_000 };

/** How the operator turns each switch on; the refusals quote it. */
export const URL_SWITCHES = {
  enabled: '--fetch-urls (or FACEKIT_FETCH_URLS=1)',
  allowPrivate: '--fetch-private-urls (or FACEKIT_FETCH_PRIVATE_URLS=1)',
} as const;

const MAX_REDIRECTS = 3;

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  // an IPv4-mapped IPv6 address reaches the IPv4 host
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  const family = isIP(address);
  return family === 0 ? true : PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function refusePrivate(field: string, host: string, address: string): never {
  throw new FacekitError(
    'BAD_ARGUMENT',
    `'${field}' URL host ${host} is a private or loopback address (${address}); this server fetches only public addresses unless started with ${URL_SWITCHES.allowPrivate}`,
  );
}

/**
 * Every address the request may connect to goes through this lookup, so a name that resolves to
 * a private address is refused at connect time (no window between checking and connecting).
 */
function guardedLookup(field: string, policy: UrlFetchPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      const bad = policy.allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (bad) {
        try {
          refusePrivate(field, hostname, bad.address);
        } catch (e) {
          return callback(e);
        }
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The body of an http(s) URL under the policy; FacekitError with the reason otherwise. */
export async function fetchImageUrl(raw: string, field: string, policy: UrlFetchPolicy): Promise<Buffer> {
  if (!policy.enabled) {
    throw new FacekitError(
      'BAD_ARGUMENT',
      `'${field}' is a URL; this server does not fetch URLs unless its operator starts it with ${URL_SWITCHES.enabled}: send the image as a multipart file, a data URL or base64`,
    );
  }
  const deadline = Date.now() + policy.timeoutMs;
  let url = raw;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const r = await getOnce(url, field, policy, deadline);
    if (r.body) return r.body;
    url = r.location;
  }
  throw new FacekitError('BAD_ARGUMENT', `'${field}' URL redirected more than ${MAX_REDIRECTS} times`);
}

type Hop = { body: Buffer; location?: never } | { body?: never; location: string };

function getOnce(raw: string, field: string, policy: UrlFetchPolicy, deadline: number): Promise<Hop> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FacekitError('BAD_ARGUMENT', `'${field}' is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FacekitError('BAD_ARGUMENT', `'${field}' URL must be http or https, not ${url.protocol}`);
  // a literal address is connected to without a lookup, so it is checked here
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !policy.allowPrivate && isPrivateAddress(literal)) refusePrivate(field, url.hostname, literal);
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise<Hop>((resolve, reject) => {
    const fail = (e: unknown) => {
      clearTimeout(timer);
      request.destroy();
      reject(e);
    };
    const request = get(url, { lookup: guardedLookup(field, policy) as never, headers: { accept: 'image/*' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        clearTimeout(timer);
        return resolve({ location: new URL(res.headers.location, url).toString() });
      }
      if (status !== 200) return fail(new FacekitError('BAD_IMAGE', `'${field}' URL answered HTTP ${status}`));
      const tooLarge = () => new FacekitError('IMAGE_TOO_LARGE', `'${field}' URL body is over the ${policy.maxBytes} byte limit`);
      if (Number(res.headers['content-length'] ?? 0) > policy.maxBytes) return fail(tooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > policy.maxBytes) return fail(tooLarge());
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ body: Buffer.concat(chunks) });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => fail(new FacekitError('BAD_IMAGE', `'${field}' URL did not answer within ${policy.timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    request.on('error', (e) => fail(e instanceof FacekitError ? e : new FacekitError('BAD_IMAGE', `'${field}' URL could not be fetched: ${e.message}`)));
  });
}
