// AWS Signature Version 4 for the web console, on the browser's Web Crypto
// (crypto.subtle): the same signatures any S3 SDK computes, so the server
// checks them like any other client's (src/s3/sigv4/). The secret key is
// only ever an HMAC key here; it is never sent.
//
// Paths are given already URI-encoded (encodePath): S3 signs the path as
// sent, each segment encoded once.

const encoder = new TextEncoder();

function subtle() {
  const c = globalThis.crypto;
  if (!c || !c.subtle) {
    throw new Error("this page needs Web Crypto: open it over https:// or on localhost");
  }
  return c.subtle;
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

function bytes(data) {
  return typeof data === "string" ? encoder.encode(data) : data;
}

export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export async function sha256Hex(data) {
  return hex(await subtle().digest("SHA-256", bytes(data)));
}

// The base64 SHA-256 that x-amz-checksum-sha256 carries.
export async function sha256Base64(data) {
  const digest = new Uint8Array(await subtle().digest("SHA-256", bytes(data)));
  return btoa(String.fromCharCode(...digest));
}

async function hmac(key, message) {
  const k = await subtle().importKey("raw", bytes(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return subtle().sign("HMAC", k, bytes(message));
}

// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, every
// other UTF-8 byte as %XX (upper case); "/" kept only when `keepSlash`.
export function uriEncode(text, keepSlash = false) {
  let out = "";
  for (const byte of encoder.encode(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === "/")) {
      out += c;
    } else {
      out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
    }
  }
  return out;
}

// "/bucket/key with/slashes" from its parts, each encoded once.
export function encodePath(...segments) {
  return "/" + segments.map((s) => uriEncode(s, true)).join("/");
}

// 20150830T123600Z
export function amzDate(date) {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

// `query`: [name, value] pairs, not encoded. Sorted by encoded name, then
// encoded value.
export function canonicalQuery(query) {
  return query
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function canonicalHeaders(headers) {
  const byName = new Map();
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    const v = String(value).trim().replace(/\s+/g, " ");
    byName.set(n, byName.has(n) ? `${byName.get(n)},${v}` : v);
  }
  const names = [...byName.keys()].sort();
  return { names, text: names.map((n) => `${n}:${byName.get(n)}\n`).join("") };
}

async function signingKey(secretKey, day, region, service) {
  const kDate = await hmac("AWS4" + secretKey, day);
  const kRegion = await hmac(kDate, region);
  const kService = await hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

async function signature(secretKey, scope, date, canonicalRequest) {
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate(date), scope.join("/"), await sha256Hex(canonicalRequest)].join(
    "\n",
  );
  const key = await signingKey(secretKey, scope[0], scope[1], scope[2]);
  return hex(await hmac(key, stringToSign));
}

// Signs a request in the Authorization header. `headers` must hold every
// header to sign, Host included; returns them with X-Amz-Date and
// Authorization added (and x-amz-content-sha256 when `service` is s3).
// `payloadHash`: the hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
export async function signRequest({
  method,
  path,
  query = [],
  headers,
  payloadHash,
  accessKey,
  secretKey,
  region,
  service = "s3",
  date = new Date(),
}) {
  const signed = { ...headers, "X-Amz-Date": amzDate(date) };
  if (service === "s3") signed["x-amz-content-sha256"] = payloadHash;
  const scope = [amzDate(date).slice(0, 8), region, service, "aws4_request"];
  const ch = canonicalHeaders(signed);
  const canonicalRequest = [method, path, canonicalQuery(query), ch.text, ch.names.join(";"), payloadHash].join("\n");
  const sig = await signature(secretKey, scope, date, canonicalRequest);
  signed.Authorization =
    `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope.join("/")}, ` +
    `SignedHeaders=${ch.names.join(";")}, Signature=${sig}`;
  return signed;
}

// A presigned URL's query string (X-Amz-* parameters last, encoded) for
// `method` on `path`, valid `expires` seconds; only Host is signed.
export async function presignQuery({
  method,
  host,
  path,
  query = [],
  accessKey,
  secretKey,
  region,
  expires,
  service = "s3",
  date = new Date(),
}) {
  const scope = [amzDate(date).slice(0, 8), region, service, "aws4_request"];
  const params = [
    ...query,
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${accessKey}/${scope.join("/")}`],
    ["X-Amz-Date", amzDate(date)],
    ["X-Amz-Expires", String(expires)],
    ["X-Amz-SignedHeaders", "host"],
  ];
  const canonicalRequest = [method, path, canonicalQuery(params), `host:${host}\n`, "host", "UNSIGNED-PAYLOAD"].join(
    "\n",
  );
  const sig = await signature(secretKey, scope, date, canonicalRequest);
  return `${canonicalQuery(params)}&X-Amz-Signature=${sig}`;
}
