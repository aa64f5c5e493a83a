// A bucket's settings: versioning, the bucket policy, lifecycle rules, server
// access logs, incomplete multipart uploads, its quota, and its data residency
// (docs/SOVEREIGNTY.md).

import { ApiError, simpleLifecycleRule } from "./api.mjs";
import {
  act,
  breadcrumb,
  factRows,
  h,
  headerRow,
  humanSize,
  isTenantRoot,
  jsonEditor,
  quotaText,
  session,
} from "./ui.mjs";

const GiB = 1024 ** 3;

function ruleText(rule) {
  if (!rule) return "none";
  return rule.jurisdictions.join(", ") + (rule.ciphertext_abroad ? ", or anywhere as ciphertext" : "");
}

// The bucket policy, edited as text; the server validates it (a policy
// that does not parse or names unknown actions is refused with
// MalformedPolicy) and Block Public Access may refuse a public one.
async function policySection(bucket) {
  const text = await session.client.bucketPolicy(bucket);
  const area = jsonEditor({ id: "bucket-policy" }, "bucket policy (JSON)", text);
  const form = h(
    "form",
    { id: "bucket-policy-form", class: "login" },
    h("h3", {}, "Bucket policy"),
    text
      ? null
      : h("p", { class: "muted" }, "No policy: only the tenant's own principals, as their identity policies allow."),
    area,
    h("button", { type: "submit" }, "Save policy"),
    text
      ? h(
          "button",
          {
            id: "bucket-policy-delete",
            class: "danger",
            type: "button",
            onclick: () => act("Removing the bucket policy", () => session.client.setBucketPolicy(bucket, "")),
          },
          "Remove policy",
        )
      : null,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    act("Saving the bucket policy", () => session.client.setBucketPolicy(bucket, area.value.trim()));
  });
  return form;
}

// Lifecycle rules: the simple ones (expire objects under a prefix after N
// days, abort incomplete uploads after N days) are added here; any rule,
// however written, can be removed, and the others are kept as they are.
async function lifecycleSection(bucket) {
  const rules = await session.client.lifecycleRules(bucket);
  const id = h("input", { id: "lc-id", placeholder: "rule name", required: true });
  const prefix = h("input", { id: "lc-prefix", placeholder: "key prefix (empty: every key)" });
  const expire = h("input", { id: "lc-expire", type: "number", min: "1", placeholder: "expire after days" });
  const abort = h("input", { id: "lc-abort", type: "number", min: "1", placeholder: "abort uploads after days" });
  const form = h(
    "form",
    { id: "lifecycle-form" },
    id,
    prefix,
    expire,
    abort,
    h("button", { type: "submit" }, "Add rule"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const added = simpleLifecycleRule({
      id: id.value.trim(),
      prefix: prefix.value,
      expirationDays: Number(expire.value),
      abortDays: Number(abort.value),
    });
    act("Saving the lifecycle rules", () => session.client.setLifecycleRules(bucket, [...rules, added]));
  });
  return h(
    "div",
    {},
    h("h3", {}, "Lifecycle rules"),
    rules.length === 0
      ? h("p", { id: "no-lifecycle", class: "muted" }, "None: objects stay until deleted.")
      : h(
          "table",
          { id: "lifecycle" },
          headerRow("Rule", "Status", "Prefix", "Expire after", "Abort uploads after", ""),
          rules.map((r) =>
            h(
              "tr",
              { dataset: { rule: r.id } },
              h("td", {}, r.id),
              h("td", {}, r.status),
              h("td", {}, r.prefix || "(every key)"),
              h("td", {}, r.expirationDays ? `${r.expirationDays} days` : ""),
              h("td", {}, r.abortDays ? `${r.abortDays} days` : ""),
              h(
                "td",
                {},
                h(
                  "button",
                  {
                    class: "delete danger",
                    type: "button",
                    onclick: () =>
                      act(`Removing rule ${r.id}`, () =>
                        session.client.setLifecycleRules(
                          bucket,
                          rules.filter((x) => x !== r),
                        ),
                      ),
                  },
                  "Remove",
                ),
              ),
            ),
          ),
        ),
    form,
  );
}

// Server access logs (docs/bucket-logging.md): where the bucket's requests
// are written as S3 access log records. The target's policy must let the
// logging service write there; the server says so when it does not.
async function loggingSection(bucket) {
  const logging = await session.client.bucketLogging(bucket);
  const target = h("input", { id: "logging-target", placeholder: "target bucket", required: true });
  const prefix = h("input", { id: "logging-prefix", placeholder: "key prefix, e.g. logs/" });
  const form = h(
    "form",
    { id: "logging-form" },
    target,
    prefix,
    h("button", { type: "submit" }, logging ? "Change" : "Turn on"),
    logging
      ? h(
          "button",
          {
            id: "logging-off",
            class: "danger",
            type: "button",
            onclick: () => act("Turning access logs off", () => session.client.setBucketLogging(bucket, null)),
          },
          "Turn off",
        )
      : null,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const to = { targetBucket: target.value.trim(), targetPrefix: prefix.value };
    act("Saving the access log target", () => session.client.setBucketLogging(bucket, to));
  });
  return h(
    "div",
    {},
    h("h3", {}, "Server access logs"),
    h(
      "p",
      { id: "logging" },
      logging
        ? `Written to ${logging.targetBucket}/${logging.targetPrefix}`
        : "Off: the requests are in the tenant's transparency log only.",
    ),
    h(
      "p",
      { class: "muted" },
      'The target bucket\'s policy must allow "logging.s3.amazonaws.com" s3:PutObject under the prefix.',
    ),
    form,
  );
}

async function uploadsSection(bucket) {
  const uploads = await session.client.incompleteUploads(bucket);
  return h(
    "div",
    {},
    h("h3", {}, "Incomplete multipart uploads"),
    uploads.length === 0
      ? h("p", { id: "no-uploads", class: "muted" }, "None.")
      : h(
          "table",
          { id: "uploads" },
          headerRow("Key", "Upload", "Begun", ""),
          uploads.map((u) =>
            h(
              "tr",
              { dataset: { upload: u.uploadId } },
              h("td", {}, u.key),
              h("td", {}, u.uploadId),
              h("td", {}, u.initiated),
              h(
                "td",
                {},
                h(
                  "button",
                  {
                    class: "abort danger",
                    type: "button",
                    onclick: () =>
                      act(`Aborting the upload of ${u.key}`, () =>
                        session.client.abortUpload(bucket, u.key, u.uploadId),
                      ),
                  },
                  "Abort",
                ),
              ),
            ),
          ),
        ),
  );
}

// The bucket's own quota, inside the tenant's (a tenant root's to set).
async function quotaSection(tenant, bucket) {
  const doc = await session.client.bucketQuota(tenant, bucket);
  const maxGiB = h("input", {
    id: "quota-max-gib",
    type: "number",
    min: "0",
    step: "any",
    placeholder: "GiB (0: no limit)",
    value: doc.quota.max_bytes ? String(doc.quota.max_bytes / GiB) : "",
  });
  const maxObjects = h("input", {
    id: "quota-max-objects",
    type: "number",
    min: "0",
    placeholder: "objects (0: no limit)",
    value: doc.quota.max_objects ? String(doc.quota.max_objects) : "",
  });
  const form = h(
    "form",
    { id: "bucket-quota" },
    h("label", {}, "Bytes, in GiB ", maxGiB),
    h("label", {}, "Objects ", maxObjects),
    h("button", { type: "submit" }, "Set quota"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const limits = {
      max_bytes: Math.round(Number(maxGiB.value || 0) * GiB),
      max_objects: Math.round(Number(maxObjects.value || 0)),
    };
    act("Setting the quota", () => session.client.setBucketQuota(tenant, bucket, limits));
  });
  const u = doc.usage;
  const q = doc.quota;
  return h(
    "div",
    {},
    h("h3", {}, "Quota"),
    h(
      "p",
      { id: "bucket-quota-usage" },
      `${quotaText(u.objects, q.max_objects, String)} objects, ${quotaText(u.bytes, q.max_bytes, humanSize)}.`,
    ),
    form,
  );
}

export async function settingsView({ bucket }) {
  const section = h("section", {}, h("h2", {}, breadcrumb(bucket), " / settings"));

  const versioning = await session.client.bucketVersioning(bucket);
  const setVersioning = (to) =>
    h(
      "button",
      {
        id: `versioning-${to.toLowerCase()}`,
        type: "button",
        onclick: () => act(`Versioning: ${to}`, () => session.client.setBucketVersioning(bucket, to)),
      },
      to === "Enabled" ? "Enable" : "Suspend",
    );
  section.append(
    h("h3", {}, "Versioning"),
    h("p", {}, "Status: ", h("strong", { id: "versioning" }, versioning || "never enabled"), " "),
    versioning === "Enabled" ? setVersioning("Suspended") : setVersioning("Enabled"),
  );
  section.append(
    await policySection(bucket),
    await lifecycleSection(bucket),
    await loggingSection(bucket),
    await uploadsSection(bucket),
  );

  if (!isTenantRoot()) {
    section.append(
      h("h3", {}, "Quota and data residency"),
      h("p", { class: "muted" }, "A bucket's quota and residency are its tenant root's to set."),
    );
    return section;
  }
  const tenant = session.identity.tenant;
  section.append(await quotaSection(tenant, bucket));
  section.append(h("h3", {}, "Data residency"));
  let doc;
  try {
    doc = await session.client.residencyRule(tenant, bucket);
  } catch (e) {
    if (e instanceof ApiError && e.code === "NotImplemented") {
      section.append(
        h("p", { class: "muted" }, "This server has no labelled storage pools: every byte is in its data directory."),
      );
      return section;
    }
    throw e;
  }
  section.append(
    h(
      "table",
      { id: "residency" },
      factRows([
        ["Bucket rule", ruleText(doc.rule)],
        ["In effect (with the tenant's ceiling)", ruleText(doc.effective)],
        ["New data is written to pool", doc.write_pool || "(none allowed)"],
        ["Objects in a pool the rules no longer allow", String(doc.misplaced_total)],
      ]),
    ),
  );

  const jurisdictions = h("input", {
    id: "jurisdictions",
    placeholder: "FR, DE or EU",
    value: doc.rule ? doc.rule.jurisdictions.join(", ") : "",
  });
  const abroad = h("input", {
    id: "ciphertext-abroad",
    type: "checkbox",
    checked: Boolean(doc.rule && doc.rule.ciphertext_abroad),
  });
  const form = h(
    "form",
    { id: "residency-rule" },
    h("label", {}, "Allowed jurisdictions ", jurisdictions),
    h("label", {}, abroad, " or anywhere as ciphertext (keys stay here)"),
    h("button", { type: "submit" }, "Set rule"),
    h(
      "button",
      {
        id: "residency-clear",
        type: "button",
        onclick: () => act("Removing the rule", () => session.client.setResidencyRule(tenant, bucket, null)),
      },
      "Remove rule",
    ),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const rule = {
      jurisdictions: jurisdictions.value
        .split(/[\s,]+/)
        .filter((j) => j !== "")
        .map((j) => j.toUpperCase()),
      ciphertext_abroad: abroad.checked,
    };
    act("Setting the residency rule", () => session.client.setResidencyRule(tenant, bucket, rule));
  });
  section.append(form);
  if (doc.misplaced_total > 0) {
    section.append(
      h(
        "button",
        {
          id: "residency-migrate",
          type: "button",
          onclick: () => act("Moving misplaced objects", () => session.client.migrateResidency(tenant, bucket)),
        },
        `Move the ${doc.misplaced_total} misplaced object(s) to allowed pools`,
      ),
    );
  }

  // Where every byte is, pool by pool (the report's summary is signed into
  // the tenant's transparency log).
  const report = await session.client.residencyReport(tenant, bucket);
  const byPool = Object.entries(report.totals.by_pool || {});
  section.append(
    h("h4", {}, "Where the data is"),
    h(
      "table",
      { id: "residency-report" },
      headerRow("Pool", "Objects", "Blobs", "Bytes"),
      byPool.map(([pool, t]) =>
        h(
          "tr",
          { dataset: { pool } },
          h("td", {}, pool),
          h("td", { class: "num objects" }, String(t.objects)),
          h("td", { class: "num" }, String(t.blobs)),
          h("td", { class: "num" }, humanSize(t.bytes)),
        ),
      ),
    ),
    h("p", { class: "muted" }, `Summary digest (in your transparency log): ${report.summary_sha256}`),
  );
  return section;
}
