// The console's client of the S3 API, the admin API and the transparency
// log, all on the page's own origin; every request signed with SigV4
// (sigv4.mjs) by the credentials the user typed, which live only in this
// object.

import {
  EMPTY_SHA256,
  canonicalQuery,
  encodePath,
  presignQuery,
  sha256Base64,
  sha256Hex,
  signRequest,
  uriEncode,
} from "./sigv4.mjs";

const ADMIN = "/_confiance/admin/v1";
const LOG = "/_confiance/log/v1";
const MiB = 1024 * 1024;
// Files above this go up in parts (S3 caps one PUT at 5 GiB; parts also
// report progress). Parts are at least 16 MiB, and big enough that no file
// needs more than S3's 10,000.
export const MULTIPART_THRESHOLD = 64 * MiB;
const MIN_PART_SIZE = 16 * MiB;
const MAX_PARTS = 10000;

// An S3 or admin API error, with the server's code and message.
export class ApiError extends Error {
  constructor(status, code, message, requestId = "") {
    super(message ? `${code}: ${message}` : code);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

function xmlText(doc, tag) {
  const el = doc.getElementsByTagName(tag)[0];
  return el ? el.textContent : "";
}

async function errorOf(response) {
  const text = await response.text();
  const requestId = response.headers.get("x-amz-request-id") || "";
  const type = response.headers.get("content-type") || "";
  try {
    if (type.includes("json")) {
      const e = JSON.parse(text).error;
      return new ApiError(response.status, e.code, e.message, requestId);
    }
    if (text.startsWith("<")) {
      const doc = new DOMParser().parseFromString(text, "application/xml");
      return new ApiError(response.status, xmlText(doc, "Code"), xmlText(doc, "Message"), requestId);
    }
  } catch {
    // fall through: an answer that is neither
  }
  return new ApiError(response.status, `HTTP ${response.status}`, text.slice(0, 200), requestId);
}

// A copy or a multipart completion may fail after S3 answered 200: the
// failure is then the body's <Error> document.
function throwIfError(doc) {
  if (doc.documentElement.tagName === "Error") {
    throw new ApiError(200, xmlText(doc, "Code"), xmlText(doc, "Message"), xmlText(doc, "RequestId"));
  }
}

function escapeXml(text) {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// A lifecycle rule as lifecycleRules returns them, enabled, for the keys
// under `prefix`: objects expire after `expirationDays`, incomplete
// uploads are aborted after `abortDays` (0: not that action).
export function simpleLifecycleRule({ id, prefix, expirationDays, abortDays }) {
  const parts = [
    `<ID>${escapeXml(id)}</ID>`,
    `<Filter><Prefix>${escapeXml(prefix)}</Prefix></Filter>`,
    "<Status>Enabled</Status>",
  ];
  if (expirationDays) parts.push(`<Expiration><Days>${expirationDays}</Days></Expiration>`);
  if (abortDays) {
    parts.push(
      `<AbortIncompleteMultipartUpload><DaysAfterInitiation>${abortDays}</DaysAfterInitiation>` +
        "</AbortIncompleteMultipartUpload>",
    );
  }
  return { id, status: "Enabled", prefix, expirationDays, abortDays, xml: `<Rule>${parts.join("")}</Rule>` };
}

function children(parent, tag) {
  return Array.from(parent.children).filter((c) => c.tagName === tag);
}

function childText(parent, tag) {
  const c = children(parent, tag)[0];
  return c ? c.textContent : "";
}

export class Client {
  constructor({ accessKey, secretKey, region }) {
    this.accessKey = accessKey;
    this.#secretKey = secretKey;
    this.region = region;
  }

  #secretKey;

  // Drops the secret; the client is unusable afterwards.
  forget() {
    this.#secretKey = "";
  }

  // One signed request. `path` is already encoded (encodePath); `query`
  // [name, value] pairs; `body` a string, a Blob or null. A string body's
  // hash is signed; a Blob is sent with UNSIGNED-PAYLOAD (reading a large
  // file twice to hash it first would double the upload's time).
  async request(method, path, { query = [], headers = {}, body = null, service = "s3" } = {}) {
    let payloadHash = EMPTY_SHA256;
    if (typeof body === "string") payloadHash = await sha256Hex(body);
    else if (body !== null) payloadHash = "UNSIGNED-PAYLOAD";
    const signed = await signRequest({
      method,
      path,
      query,
      headers: { ...headers, Host: location.host },
      payloadHash,
      accessKey: this.accessKey,
      secretKey: this.#secretKey,
      region: this.region,
      service,
    });
    delete signed.Host; // the browser sends it; a script may not set it
    const qs = canonicalQuery(query);
    const response = await fetch(path + (qs ? "?" + qs : ""), {
      method,
      headers: signed,
      body,
      cache: "no-store",
      credentials: "omit",
      redirect: "error",
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async xml(method, path, options) {
    const response = await this.request(method, path, options);
    return new DOMParser().parseFromString(await response.text(), "application/xml");
  }

  // `body`: an object sent as JSON, a string sent as it is (a policy
  // document), or null.
  async admin(method, resource, body = null) {
    const response = await this.request(method, ADMIN + resource, {
      headers: body === null ? {} : { "Content-Type": "application/json" },
      body: body === null || typeof body === "string" ? body : JSON.stringify(body),
    });
    return response.status === 204 ? null : response.json();
  }

  // --- who is signed in -------------------------------------------------

  // {"kind": "operator"|"tenant", ...} (GET /whoami), or null for a
  // tenant's user, whom /whoami refuses but S3 serves.
  async whoami() {
    try {
      return await this.admin("GET", "/whoami");
    } catch (e) {
      if (e.code === "AccessDenied") {
        await this.listBuckets(); // proves the credentials, or throws
        return null;
      }
      throw e;
    }
  }

  // --- temporary credentials (docs/sts.md) ------------------------------

  // An STS call (GetSessionToken, GetFederationToken) with `params`
  // ({DurationSeconds, Name, Policy}); its Credentials as
  // {accessKeyId, secretAccessKey, sessionToken, expiration}.
  async temporaryCredentials(action, params) {
    const fields = [["Action", action], ["Version", "2011-06-15"], ...Object.entries(params)];
    const body = fields.map(([k, v]) => `${uriEncode(k)}=${uriEncode(String(v))}`).join("&");
    const doc = await this.xml("POST", "/", {
      headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
      body,
      service: "sts",
    });
    return {
      accessKeyId: xmlText(doc, "AccessKeyId"),
      secretAccessKey: xmlText(doc, "SecretAccessKey"),
      sessionToken: xmlText(doc, "SessionToken"),
      expiration: xmlText(doc, "Expiration"),
    };
  }

  // --- buckets and objects ----------------------------------------------

  async listBuckets() {
    const doc = await this.xml("GET", "/");
    return Array.from(doc.getElementsByTagName("Bucket"), (b) => ({
      name: childText(b, "Name"),
      created: childText(b, "CreationDate"),
    }));
  }

  async createBucket(name) {
    await this.request("PUT", encodePath(name));
  }

  async deleteBucket(name) {
    await this.request("DELETE", encodePath(name));
  }

  // One page of ListObjectsV2 with "/" as delimiter.
  async listObjects(bucket, prefix, continuationToken = "") {
    const query = [
      ["list-type", "2"],
      ["delimiter", "/"],
      ["prefix", prefix],
      ["max-keys", "200"],
    ];
    if (continuationToken) query.push(["continuation-token", continuationToken]);
    const doc = await this.xml("GET", encodePath(bucket), { query });
    const root = doc.documentElement;
    return {
      folders: children(root, "CommonPrefixes").map((p) => childText(p, "Prefix")),
      objects: children(root, "Contents").map((c) => ({
        key: childText(c, "Key"),
        size: Number(childText(c, "Size")),
        modified: childText(c, "LastModified"),
      })),
      next: childText(root, "IsTruncated") === "true" ? childText(root, "NextContinuationToken") : "",
    };
  }

  // Uploads a File (or Blob), in parts above MULTIPART_THRESHOLD;
  // `progress(bytesDone, bytesTotal)` is called before each part.
  async putObject(bucket, key, file, progress = () => {}) {
    const headers = file.type ? { "Content-Type": file.type } : {};
    if (file.size > MULTIPART_THRESHOLD) return this.#putInParts(bucket, key, file, headers, progress);
    const response = await this.request("PUT", encodePath(bucket, key), { headers, body: file });
    return response.headers.get("ETag");
  }

  // CreateMultipartUpload, UploadPart for each slice of the file (read
  // from disk as it is sent), CompleteMultipartUpload; any failure aborts
  // the upload so that no part is left behind.
  async #putInParts(bucket, key, file, headers, progress) {
    const path = encodePath(bucket, key);
    const partSize = Math.max(MIN_PART_SIZE, Math.ceil(file.size / MAX_PARTS / MiB) * MiB);
    const created = await this.xml("POST", path, { query: [["uploads", ""]], headers });
    const uploadId = xmlText(created, "UploadId");
    const upload = ["uploadId", uploadId];
    try {
      const etags = [];
      for (let at = 0; at < file.size; at += partSize) {
        progress(at, file.size);
        const part = await this.request("PUT", path, {
          query: [["partNumber", String(etags.length + 1)], upload],
          body: file.slice(at, Math.min(at + partSize, file.size)),
        });
        etags.push(part.headers.get("ETag"));
      }
      progress(file.size, file.size);
      const parts = etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(e)}</ETag></Part>`);
      const done = await this.xml("POST", path, {
        query: [upload],
        body: `<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`,
      });
      throwIfError(done);
      return xmlText(done, "ETag");
    } catch (e) {
      await this.request("DELETE", path, { query: [upload] }).catch(() => {});
      throw e;
    }
  }

  // Without `versionId`: the current object (a delete marker when
  // versioning is on); with it: that version, for good.
  async deleteObject(bucket, key, versionId = "") {
    await this.request("DELETE", encodePath(bucket, key), { query: versionId ? [["versionId", versionId]] : [] });
  }

  // The object's (or a version's) response headers, names in lower case.
  async headObject(bucket, key, versionId = "") {
    const response = await this.request("HEAD", encodePath(bucket, key), {
      query: versionId ? [["versionId", versionId]] : [],
    });
    return Object.fromEntries(response.headers.entries());
  }

  // [{key, value}] of the current version.
  async objectTags(bucket, key) {
    const doc = await this.xml("GET", encodePath(bucket, key), { query: [["tagging", ""]] });
    return Array.from(doc.getElementsByTagName("Tag"), (t) => ({
      key: childText(t, "Key"),
      value: childText(t, "Value"),
    }));
  }

  async putObjectTags(bucket, key, tags) {
    const set = tags.map((t) => `<Tag><Key>${escapeXml(t.key)}</Key><Value>${escapeXml(t.value)}</Value></Tag>`);
    const body = `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${set.join("")}</TagSet></Tagging>`;
    await this.request("PUT", encodePath(bucket, key), { query: [["tagging", ""]], body });
  }

  // The versions and delete markers of exactly `key`, newest first (one
  // page of ListObjectVersions: up to 1,000).
  async objectVersions(bucket, key) {
    const doc = await this.xml("GET", encodePath(bucket), {
      query: [
        ["versions", ""],
        ["prefix", key],
        ["max-keys", "1000"],
      ],
    });
    const out = [];
    for (const el of Array.from(doc.documentElement.children)) {
      if ((el.tagName !== "Version" && el.tagName !== "DeleteMarker") || childText(el, "Key") !== key) continue;
      out.push({
        versionId: childText(el, "VersionId"),
        latest: childText(el, "IsLatest") === "true",
        deleteMarker: el.tagName === "DeleteMarker",
        size: Number(childText(el, "Size") || 0),
        modified: childText(el, "LastModified"),
        etag: childText(el, "ETag"),
      });
    }
    return out;
  }

  // Makes an older version current again by copying it over the key (S3's
  // way: the old version stays, a new one holds its bytes).
  async restoreVersion(bucket, key, versionId) {
    const source = `${encodePath(bucket, key)}?versionId=${encodeURIComponent(versionId)}`;
    throwIfError(await this.xml("PUT", encodePath(bucket, key), { headers: { "x-amz-copy-source": source } }));
  }

  // A URL that downloads the object as a file (never shown inline: an HTML
  // object must not run in the console's origin), valid five minutes.
  async downloadUrl(bucket, key, versionId = "") {
    const path = encodePath(bucket, key);
    const filename = key.split("/").pop() || "download";
    const query = await presignQuery({
      method: "GET",
      host: location.host,
      path,
      query: [
        ["response-content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`],
        ...(versionId ? [["versionId", versionId]] : []),
      ],
      accessKey: this.accessKey,
      secretKey: this.#secretKey,
      region: this.region,
      expires: 300,
    });
    return `${path}?${query}`;
  }

  // --- bucket settings ----------------------------------------------------

  // "Enabled", "Suspended" or "" (never enabled).
  async bucketVersioning(bucket) {
    const doc = await this.xml("GET", encodePath(bucket), { query: [["versioning", ""]] });
    return xmlText(doc, "Status");
  }

  async setBucketVersioning(bucket, status) {
    const body =
      '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Status>${escapeXml(status)}</Status></VersioningConfiguration>`;
    await this.request("PUT", encodePath(bucket), { query: [["versioning", ""]], body });
  }

  // The bucket policy's text, or "" when the bucket has none.
  async bucketPolicy(bucket) {
    try {
      return await (await this.request("GET", encodePath(bucket), { query: [["policy", ""]] })).text();
    } catch (e) {
      if (e.code === "NoSuchBucketPolicy") return "";
      throw e;
    }
  }

  // `text`: the policy document; "" removes the policy.
  async setBucketPolicy(bucket, text) {
    const query = [["policy", ""]];
    await this.request(text ? "PUT" : "DELETE", encodePath(bucket), { query, body: text || null });
  }

  // Server access logging (docs/bucket-logging.md): {targetBucket,
  // targetPrefix}, or null when off.
  async bucketLogging(bucket) {
    const doc = await this.xml("GET", encodePath(bucket), { query: [["logging", ""]] });
    if (doc.getElementsByTagName("LoggingEnabled").length === 0) return null;
    return { targetBucket: xmlText(doc, "TargetBucket"), targetPrefix: xmlText(doc, "TargetPrefix") };
  }

  // `target`: {targetBucket, targetPrefix}, or null to turn logging off.
  // The target's policy must let logging.s3.amazonaws.com write there
  // (the server refuses with InvalidTargetBucketForLogging otherwise).
  async setBucketLogging(bucket, target) {
    const enabled = target
      ? "<LoggingEnabled>" +
        `<TargetBucket>${escapeXml(target.targetBucket)}</TargetBucket>` +
        `<TargetPrefix>${escapeXml(target.targetPrefix)}</TargetPrefix>` +
        "</LoggingEnabled>"
      : "";
    const body = `<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${enabled}</BucketLoggingStatus>`;
    await this.request("PUT", encodePath(bucket), { query: [["logging", ""]], body });
  }

  // The bucket's lifecycle rules, each as {id, status, prefix,
  // expirationDays, abortDays, xml}: `xml` is the rule element as stored,
  // so that rules the console does not edit (transitions, tags, dates,
  // noncurrent versions) are written back unchanged. [] when none.
  async lifecycleRules(bucket) {
    let doc;
    try {
      doc = await this.xml("GET", encodePath(bucket), { query: [["lifecycle", ""]] });
    } catch (e) {
      if (e.code === "NoSuchLifecycleConfiguration") return [];
      throw e;
    }
    const serializer = new XMLSerializer();
    return children(doc.documentElement, "Rule").map((r) => {
      const filter = children(r, "Filter")[0];
      const expiration = children(r, "Expiration")[0];
      const abort = children(r, "AbortIncompleteMultipartUpload")[0];
      return {
        id: childText(r, "ID"),
        status: childText(r, "Status"),
        prefix: filter ? childText(filter, "Prefix") : childText(r, "Prefix"),
        expirationDays: expiration ? childText(expiration, "Days") : "",
        abortDays: abort ? childText(abort, "DaysAfterInitiation") : "",
        xml: serializer.serializeToString(r).replace(/ xmlns="[^"]*"/, ""),
      };
    });
  }

  // Replaces the bucket's rules with `rules` (as lifecycleRules returns
  // them: their `xml`); [] removes the configuration.
  async setLifecycleRules(bucket, rules) {
    const query = [["lifecycle", ""]];
    if (rules.length === 0) {
      await this.request("DELETE", encodePath(bucket), { query });
      return;
    }
    const body =
      '<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      rules.map((r) => r.xml).join("") +
      "</LifecycleConfiguration>";
    // S3 wants an integrity header on this call (Content-MD5 or a
    // checksum); Web Crypto has SHA-256, not MD5.
    const headers = { "x-amz-checksum-sha256": await sha256Base64(body) };
    await this.request("PUT", encodePath(bucket), { query, headers, body });
  }

  // Multipart uploads begun and neither completed nor aborted: their parts
  // hold disk space (one page: up to 1,000).
  async incompleteUploads(bucket) {
    const doc = await this.xml("GET", encodePath(bucket), { query: [["uploads", ""]] });
    return Array.from(doc.getElementsByTagName("Upload"), (u) => ({
      key: childText(u, "Key"),
      uploadId: childText(u, "UploadId"),
      initiated: childText(u, "Initiated"),
    }));
  }

  async abortUpload(bucket, key, uploadId) {
    await this.request("DELETE", encodePath(bucket, key), { query: [["uploadId", uploadId]] });
  }

  // Data residency (docs/SOVEREIGNTY.md): the bucket's rule, its report
  // and the migration of what a new rule left misplaced; a tenant root's.
  #residencyPath(tenant, bucket, tail) {
    return `/tenants/${encodeURIComponent(tenant)}/buckets/${encodeURIComponent(bucket)}/residency${tail}`;
  }

  async residencyRule(tenant, bucket) {
    return this.admin("GET", this.#residencyPath(tenant, bucket, "/rule"));
  }

  // `rule`: {"jurisdictions": [...], "ciphertext_abroad": bool}, or null
  // to remove the bucket's rule (the tenant's ceiling alone applies).
  async setResidencyRule(tenant, bucket, rule) {
    const path = this.#residencyPath(tenant, bucket, "/rule");
    return rule === null ? this.admin("DELETE", path) : this.admin("PUT", path, rule);
  }

  async residencyReport(tenant, bucket) {
    return this.admin("GET", this.#residencyPath(tenant, bucket, ""));
  }

  async migrateResidency(tenant, bucket) {
    return this.admin("POST", this.#residencyPath(tenant, bucket, "/migrate"), {});
  }

  // --- operator access requests (the lockbox) ---------------------------

  async accessRequests() {
    return (await this.admin("GET", "/access-requests")).access_requests;
  }

  // An operator asks for access (docs/admin-api.md, "Operator access
  // requests"): {"tenant", "buckets", "prefixes", "operations", "reason",
  // "category", "duration_seconds"}.
  async requestAccess(spec) {
    return this.admin("POST", "/access-requests", spec);
  }

  // `decision`: approve, deny, revoke (a tenant's root), cancel (the
  // requesting operator) or cosign (another operator, break-glass).
  async decide(id, decision, note = "") {
    const body = note && decision !== "approve" ? { note } : {};
    return this.admin("POST", `/access-requests/${encodeURIComponent(id)}/${decision}`, body);
  }

  // --- tenants (operators; a tenant root reads its own) ------------------

  async tenants() {
    return (await this.admin("GET", "/tenants")).tenants;
  }

  // `spec`: {"id", "display_name"?, "quotas"?}; the reply holds the root's
  // secret key, shown this once.
  async createTenant(spec) {
    return this.admin("POST", "/tenants", spec);
  }

  async updateTenant(id, change) {
    return this.admin("PATCH", `/tenants/${encodeURIComponent(id)}`, change);
  }

  async deleteTenant(id) {
    return this.admin("DELETE", `/tenants/${encodeURIComponent(id)}`);
  }

  async usage(id) {
    return this.admin("GET", `/tenants/${encodeURIComponent(id)}/usage`);
  }

  // --- maintenance jobs (operators: docs/operations.md, docs/backup.md) --

  async scrub() {
    return this.admin("GET", "/scrub");
  }

  // `spec`: {} (the server's rate) or {"max_bytes_per_second": N}.
  async startScrub(spec) {
    return this.admin("POST", "/scrub", spec);
  }

  async stopScrub() {
    return this.admin("DELETE", "/scrub");
  }

  async backup() {
    return this.admin("GET", "/backup");
  }

  // `spec`: {"path": "/absolute/new/dir", "base"?: "/earlier/backup"}.
  async startBackup(spec) {
    return this.admin("POST", "/backup", spec);
  }

  // A bucket's own quota and usage (docs/tenancy.md, "Bucket quotas").
  #quotaPath(tenant, bucket) {
    return `/tenants/${encodeURIComponent(tenant)}/buckets/${encodeURIComponent(bucket)}/quota`;
  }

  async bucketQuota(tenant, bucket) {
    return this.admin("GET", this.#quotaPath(tenant, bucket));
  }

  // `limits`: {"max_bytes"?, "max_objects"?}; 0 lifts that limit.
  async setBucketQuota(tenant, bucket, limits) {
    return this.admin("PATCH", this.#quotaPath(tenant, bucket), limits);
  }

  // --- users, access keys, identity policies (a tenant root's) ----------

  #userPath(tenant, user = "", tail = "") {
    const base = `/tenants/${encodeURIComponent(tenant)}/users`;
    return user ? `${base}/${encodeURIComponent(user)}${tail}` : base;
  }

  async users(tenant) {
    return (await this.admin("GET", this.#userPath(tenant))).users;
  }

  async user(tenant, name) {
    return this.admin("GET", this.#userPath(tenant, name));
  }

  // The reply holds the first key's secret, shown this once.
  async createUser(tenant, name) {
    return this.admin("POST", this.#userPath(tenant), { name });
  }

  async deleteUser(tenant, name) {
    return this.admin("DELETE", this.#userPath(tenant, name));
  }

  // The reply holds the secret, shown this once.
  async createAccessKey(tenant, user) {
    return this.admin("POST", this.#userPath(tenant, user, "/keys"), {});
  }

  // `status`: "Active" or "Inactive".
  async setAccessKeyStatus(tenant, user, accessKey, status) {
    return this.admin("PATCH", this.#userPath(tenant, user, `/keys/${encodeURIComponent(accessKey)}`), { status });
  }

  async deleteAccessKey(tenant, user, accessKey) {
    return this.admin("DELETE", this.#userPath(tenant, user, `/keys/${encodeURIComponent(accessKey)}`));
  }

  // The document as stored, as text.
  async policy(tenant, user, name) {
    const response = await this.request(
      "GET",
      ADMIN + this.#userPath(tenant, user, `/policies/${encodeURIComponent(name)}`),
    );
    return response.text();
  }

  async putPolicy(tenant, user, name, documentText) {
    return this.admin("PUT", this.#userPath(tenant, user, `/policies/${encodeURIComponent(name)}`), documentText);
  }

  async deletePolicy(tenant, user, name) {
    return this.admin("DELETE", this.#userPath(tenant, user, `/policies/${encodeURIComponent(name)}`));
  }

  // --- the tenant's key (docs/keys.md) ----------------------------------

  #keyPath(tenant, tail = "") {
    return `/tenants/${encodeURIComponent(tenant)}/key${tail}`;
  }

  async tenantKey(tenant) {
    return this.admin("GET", this.#keyPath(tenant));
  }

  async allowJustifications(tenant, justifications) {
    return this.admin("PUT", this.#keyPath(tenant, "/policy"), { allowed_justifications: justifications });
  }

  async rotateTenantKey(tenant) {
    return this.admin("POST", this.#keyPath(tenant, "/rotate"), {});
  }

  async tenantKeyRotation(tenant) {
    return this.admin("GET", this.#keyPath(tenant, "/rotation"));
  }

  // Crypto-shredding: final. `confirm` must be the tenant's id.
  async destroyTenantKey(tenant, confirm) {
    return this.admin("POST", this.#keyPath(tenant, "/destroy"), { confirm });
  }

  // --- the tenant's named KMS keys (docs/keys.md "Named KMS keys") -------

  #kmsKeyPath(tenant, name = "", tail = "") {
    const named = name ? `/${encodeURIComponent(name)}` : "";
    return `/tenants/${encodeURIComponent(tenant)}/kms-keys${named}${tail}`;
  }

  // {"tenant", "keys": [{"name", "key_id", "arn", "state", ...}]}
  async kmsKeys(tenant) {
    return this.admin("GET", this.#kmsKeyPath(tenant));
  }

  async createKmsKey(tenant, name, description) {
    return this.admin("POST", this.#kmsKeyPath(tenant, name), description ? { description } : {});
  }

  // A new current version; the objects under the older ones stay readable.
  async rotateKmsKey(tenant, name) {
    return this.admin("POST", this.#kmsKeyPath(tenant, name, "/rotate"));
  }

  // Crypto-shredding of the objects under the key: final. `confirm` must be its name.
  async destroyKmsKey(tenant, name, confirm) {
    return this.admin("POST", this.#kmsKeyPath(tenant, name, "/destroy"), { confirm });
  }

  // --- the transparency log ---------------------------------------------

  async logText(resource) {
    return (await this.request("GET", LOG + resource)).text();
  }

  async logBytes(resource) {
    return new Uint8Array(await (await this.request("GET", LOG + resource)).arrayBuffer());
  }
}
