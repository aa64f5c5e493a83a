// The web console (docs/console.md): a tenant browses its buckets and
// objects, decides operators' access requests and reads its transparency
// log; an operator sees its own requests and the operator log. Everything
// goes through the public S3 and admin APIs (api.mjs), so the console can
// do nothing a signed client could not.
//
// Names from the server (buckets, keys, reasons, log entries) are put in
// the page only as text (textContent), never as markup.

import { ApiError, Client } from "./api.mjs";
import { entryBundleResource, parseCheckpoint, parseEntryBundle } from "./log.mjs";

const ENTRIES_SHOWN = 50;

let client = null; // signed in when set
let identity = null; // GET /whoami's answer; null for a tenant's user
let region = "us-east-1";
let renderSerial = 0; // a newer render makes an older one's late results moot

// --- small DOM helpers -----------------------------------------------------

function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick" || k === "onsubmit" || k === "onchange") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) {
    if (kid !== null && kid !== undefined && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

const $ = (id) => document.getElementById(id);

function showError(e) {
  const box = $("error");
  if (!e) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.hidden = false;
  const id = e instanceof ApiError && e.requestId ? ` (request ${e.requestId})` : "";
  box.textContent = (e instanceof Error ? e.message : String(e)) + id;
}

function status(text) {
  $("status").textContent = text;
}

function mount(...nodes) {
  $("main").replaceChildren(...nodes);
}

function humanSize(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

// Runs an action of the user: errors shown, the view redrawn after.
async function act(what, fn) {
  showError(null);
  status(what + "…");
  try {
    await fn();
    status("");
  } catch (e) {
    status("");
    showError(e);
  }
  await render();
}

// --- routes ----------------------------------------------------------------

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  if (parts[0] === "b" && parts.length >= 2) {
    return {
      view: "objects",
      bucket: decodeURIComponent(parts[1]),
      prefix: decodeURIComponent(parts.slice(2).join("/")),
    };
  }
  if (parts[0] === "s" && parts.length >= 2) return { view: "settings", bucket: decodeURIComponent(parts[1]) };
  if (parts[0] === "o" && parts.length >= 3) {
    return { view: "object", bucket: decodeURIComponent(parts[1]), key: decodeURIComponent(parts.slice(2).join("/")) };
  }
  if (parts[0] === "access") return { view: "access" };
  if (parts[0] === "keys") return { view: "keys" };
  if (parts[0] === "tenants") return { view: "tenants" };
  if (parts[0] === "log") return { view: "log" };
  return { view: "buckets" };
}

function objectsHash(bucket, prefix) {
  return `#/b/${encodeURIComponent(bucket)}/${encodeURIComponent(prefix)}`;
}

function objectHash(bucket, key) {
  return `#/o/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`;
}

async function render() {
  const serial = ++renderSerial;
  $("nav").hidden = client === null;
  if (client === null) {
    mount(loginView());
    return;
  }
  const r = route();
  const views = {
    buckets: bucketsView,
    objects: objectsView,
    settings: settingsView,
    object: objectView,
    access: accessView,
    keys: keysView,
    tenants: tenantsView,
    log: logView,
  };
  try {
    const node = await views[r.view](r);
    if (serial === renderSerial) mount(node);
  } catch (e) {
    if (serial !== renderSerial) return;
    showError(e);
    mount(h("p", { class: "muted" }, "Nothing to show."));
  }
}

// --- sign in ---------------------------------------------------------------

function loginView() {
  const accessKey = h("input", { id: "access-key", name: "access-key", autocomplete: "username", required: true });
  const secretKey = h("input", {
    id: "secret-key",
    name: "secret-key",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const form = h(
    "form",
    { id: "login", class: "login" },
    h("h2", {}, "Sign in"),
    h("label", {}, "Access key ", accessKey),
    h("label", {}, "Secret key ", secretKey),
    h("button", { id: "sign-in", type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showError(null);
    const candidate = new Client({ accessKey: accessKey.value.trim(), secretKey: secretKey.value, region });
    secretKey.value = "";
    try {
      status("Signing in…");
      const me = await candidate.whoami();
      client = candidate;
      identity = me;
      // The key is its tenant root's to manage (operators read it only
      // with an approval, users not at all).
      $("nav-keys").hidden = !isTenantRoot();
      $("nav-tenants").hidden = !isOperator();
      $("who").textContent =
        me === null
          ? `user of access key ${candidate.accessKey}`
          : me.kind === "operator"
            ? `operator ${me.name}`
            : `tenant ${me.tenant} (${me.user})`;
      status("");
      await render();
    } catch (e) {
      candidate.forget();
      status("");
      showError(e);
    }
  });
  return form;
}

function signOut() {
  if (client) client.forget();
  client = null;
  identity = null;
  $("nav-keys").hidden = true;
  $("nav-tenants").hidden = true;
  $("who").textContent = "";
  showError(null);
  location.hash = "#/buckets";
  render();
}

// --- buckets ---------------------------------------------------------------

function quotaText(used, max, format) {
  return max ? `${format(used)} of ${format(max)}` : format(used);
}

async function bucketsView() {
  const buckets = await client.listBuckets();
  // A tenant root sees its tenant's usage against its quotas.
  let usage = null;
  if (isTenantRoot()) {
    const u = await client.usage(identity.tenant);
    const q = u.quotas || {};
    usage = h(
      "p",
      { id: "usage", class: "muted" },
      `Tenant ${identity.tenant}: ${quotaText(u.buckets, q.max_buckets, String)} buckets, ` +
        `${quotaText(u.objects, q.max_objects, String)} objects, ${quotaText(u.bytes, q.max_bytes, humanSize)}.`,
    );
  }
  const name = h("input", { id: "bucket-name", placeholder: "new-bucket-name", required: true });
  const create = h("form", { id: "create-bucket" }, name, h("button", { type: "submit" }, "Create bucket"));
  create.addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(`Creating ${name.value}`, () => client.createBucket(name.value.trim()));
  });
  const rows = buckets.map((b) =>
    h(
      "tr",
      { dataset: { bucket: b.name } },
      h("td", {}, h("a", { href: objectsHash(b.name, "") }, b.name)),
      h("td", {}, b.created),
      h(
        "td",
        {},
        h(
          "button",
          {
            class: "delete danger",
            type: "button",
            onclick: () => {
              if (confirm(`Delete bucket ${b.name}? It must be empty.`)) {
                act(`Deleting ${b.name}`, () => client.deleteBucket(b.name));
              }
            },
          },
          "Delete",
        ),
      ),
    ),
  );
  return h(
    "section",
    {},
    h("h2", {}, "Buckets"),
    usage,
    create,
    buckets.length === 0
      ? h("p", { class: "muted" }, "No bucket yet.")
      : h("table", { id: "buckets" }, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Created"), h("th")), rows),
  );
}

// --- objects ---------------------------------------------------------------

async function objectsView({ bucket, prefix }) {
  const pages = [await client.listObjects(bucket, prefix)];
  const table = h(
    "table",
    { id: "objects" },
    h("tr", {}, h("th", {}, "Name"), h("th", {}, "Size"), h("th", {}, "Modified"), h("th")),
  );
  const more = h("button", { id: "more", type: "button", hidden: true }, "More");

  const addPage = (page) => {
    for (const folder of page.folders) {
      table.append(
        h(
          "tr",
          { dataset: { prefix: folder } },
          h("td", {}, h("a", { href: objectsHash(bucket, folder) }, folder.slice(prefix.length))),
          h("td"),
          h("td"),
          h("td"),
        ),
      );
    }
    for (const o of page.objects) {
      const download = h("a", { class: "download", href: "#", title: "download" }, "Download");
      download.addEventListener("click", (ev) => {
        ev.preventDefault();
        startDownload(bucket, o.key).catch(showError);
      });
      const del = h(
        "button",
        {
          class: "delete danger",
          type: "button",
          onclick: () => {
            if (confirm(`Delete ${o.key}?`)) act(`Deleting ${o.key}`, () => client.deleteObject(bucket, o.key));
          },
        },
        "Delete",
      );
      table.append(
        h(
          "tr",
          { dataset: { key: o.key } },
          h("td", { class: "key" }, h("a", { href: objectHash(bucket, o.key) }, o.key.slice(prefix.length))),
          h("td", { class: "num" }, humanSize(o.size)),
          h("td", {}, o.modified),
          h("td", {}, download, " ", del),
        ),
      );
    }
    more.hidden = !page.next;
    more.dataset.token = page.next;
  };
  addPage(pages[0]);
  more.addEventListener("click", async () => {
    try {
      addPage(await client.listObjects(bucket, prefix, more.dataset.token));
    } catch (e) {
      showError(e);
    }
  });

  const file = h("input", { id: "file", type: "file", multiple: true });
  const upload = h("form", { id: "upload" }, h("label", {}, `Upload to ${prefix || "/"} `, file));
  file.addEventListener("change", () => {
    const files = Array.from(file.files);
    act(`Uploading ${files.length} file(s)`, async () => {
      for (const f of files) {
        await client.putObject(bucket, prefix + f.name, f, (done, total) =>
          status(`Uploading ${f.name}: ${humanSize(done)} of ${humanSize(total)}…`),
        );
      }
    });
  });

  // Breadcrumb: the bucket, then each folder of the prefix.
  const crumbs = [h("a", { href: "#/buckets" }, "Buckets"), " / ", h("a", { href: objectsHash(bucket, "") }, bucket)];
  let at = "";
  for (const part of prefix.split("/").filter((p) => p !== "")) {
    at += part + "/";
    crumbs.push(" / ", h("a", { href: objectsHash(bucket, at) }, part));
  }
  const empty = pages[0].folders.length === 0 && pages[0].objects.length === 0;
  return h(
    "section",
    {},
    h("h2", { id: "breadcrumb" }, crumbs),
    h("p", {}, h("a", { id: "bucket-settings", href: `#/s/${encodeURIComponent(bucket)}` }, "Bucket settings")),
    upload,
    empty ? h("p", { class: "muted" }, "Empty.") : table,
    more,
  );
}

// --- one object ---------------------------------------------------------------

async function startDownload(bucket, key, versionId = "") {
  const a = h("a", { href: await client.downloadUrl(bucket, key, versionId), download: "" });
  document.body.append(a);
  a.click();
  a.remove();
}

function crumbsTo(bucket, key) {
  const crumbs = [h("a", { href: "#/buckets" }, "Buckets"), " / ", h("a", { href: objectsHash(bucket, "") }, bucket)];
  const parts = key.split("/");
  let at = "";
  for (const part of parts.slice(0, -1)) {
    at += part + "/";
    crumbs.push(" / ", h("a", { href: objectsHash(bucket, at) }, part));
  }
  crumbs.push(" / ", parts[parts.length - 1]);
  return crumbs;
}

// What HEAD says about the object, in the order a reader wants it.
function objectFacts(head) {
  const facts = [
    ["Size", head["content-length"] !== undefined ? humanSize(Number(head["content-length"])) : ""],
    ["Content-Type", head["content-type"]],
    ["ETag", head["etag"]],
    ["Last modified", head["last-modified"]],
    ["Version", head["x-amz-version-id"]],
    ["Encryption", head["x-amz-server-side-encryption"]],
    [
      "Object lock",
      head["x-amz-object-lock-mode"]
        ? `${head["x-amz-object-lock-mode"]} until ${head["x-amz-object-lock-retain-until-date"]}`
        : "",
    ],
    ["Legal hold", head["x-amz-object-lock-legal-hold"]],
    ["Cache-Control", head["cache-control"]],
    ["Content-Disposition", head["content-disposition"]],
    ["Content-Encoding", head["content-encoding"]],
  ];
  for (const [name, value] of Object.entries(head)) {
    if (name.startsWith("x-amz-meta-")) facts.push([`Metadata ${name.slice("x-amz-meta-".length)}`, value]);
  }
  return facts.filter(([, v]) => v !== undefined && v !== "");
}

async function objectView({ bucket, key }) {
  const versions = await client.objectVersions(bucket, key);
  const current = versions.find((v) => v.latest);
  const section = h("section", {}, h("h2", { id: "object-crumbs" }, crumbsTo(bucket, key)));
  if (current && current.deleteMarker) {
    section.append(h("p", { id: "deleted", class: "muted" }, "Deleted: the latest version is a delete marker."));
  } else {
    const head = await client.headObject(bucket, key);
    section.append(
      h(
        "table",
        { id: "object-facts" },
        objectFacts(head).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", { dataset: { fact: k } }, v))),
      ),
      h(
        "p",
        {},
        h(
          "button",
          { id: "object-download", type: "button", onclick: () => startDownload(bucket, key).catch(showError) },
          "Download",
        ),
        " ",
        h(
          "button",
          {
            id: "object-delete",
            class: "danger",
            type: "button",
            onclick: () => {
              if (confirm(`Delete ${key}?`)) act(`Deleting ${key}`, () => client.deleteObject(bucket, key));
            },
          },
          "Delete",
        ),
      ),
    );

    // Tags: edited in place, saved whole (S3 replaces the set).
    const tags = await client.objectTags(bucket, key);
    const tagRows = h("div", { id: "tag-rows" });
    const addRow = (t = { key: "", value: "" }) =>
      tagRows.append(
        h(
          "p",
          { class: "tag" },
          h("input", { class: "tag-key", placeholder: "key", value: t.key }),
          " = ",
          h("input", { class: "tag-value", placeholder: "value", value: t.value }),
        ),
      );
    tags.forEach(addRow);
    const tagForm = h(
      "form",
      { id: "tags", class: "login" },
      h("h3", {}, "Tags"),
      tagRows,
      h("button", { id: "tag-add", type: "button", onclick: () => addRow() }, "Add a tag"),
      h("button", { type: "submit" }, "Save tags"),
    );
    tagForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const set = Array.from(tagRows.querySelectorAll("p.tag"), (p) => ({
        key: p.querySelector(".tag-key").value.trim(),
        value: p.querySelector(".tag-value").value,
      })).filter((t) => t.key !== "");
      act("Saving tags", () => client.putObjectTags(bucket, key, set));
    });
    section.append(tagForm);
  }

  // Versions: download any, make an older one current again, or delete
  // one for good.
  const row = (v) =>
    h(
      "tr",
      { dataset: { version: v.versionId } },
      h("td", {}, v.versionId),
      h("td", { class: "kind" }, v.deleteMarker ? "delete marker" : v.latest ? "current" : "older"),
      h("td", { class: "num" }, v.deleteMarker ? "" : humanSize(v.size)),
      h("td", {}, v.modified),
      h(
        "td",
        {},
        v.deleteMarker
          ? null
          : h(
              "button",
              {
                class: "download",
                type: "button",
                onclick: () => startDownload(bucket, key, v.versionId).catch(showError),
              },
              "Download",
            ),
        " ",
        v.deleteMarker || v.latest
          ? null
          : h(
              "button",
              {
                class: "restore",
                type: "button",
                onclick: () =>
                  act(`Restoring version ${v.versionId}`, () => client.restoreVersion(bucket, key, v.versionId)),
              },
              "Make current",
            ),
        " ",
        h(
          "button",
          {
            class: "delete-version danger",
            type: "button",
            onclick: () => {
              if (confirm(`Delete version ${v.versionId} of ${key} for good?`)) {
                act(`Deleting version ${v.versionId}`, () => client.deleteObject(bucket, key, v.versionId));
              }
            },
          },
          "Delete version",
        ),
      ),
    );
  section.append(
    h("h3", {}, "Versions"),
    h(
      "table",
      { id: "versions" },
      h(
        "tr",
        {},
        ["Version", "", "Size", "Modified", ""].map((t) => h("th", {}, t)),
      ),
      versions.map(row),
    ),
  );
  return section;
}

// --- bucket settings ---------------------------------------------------------

function ruleText(rule) {
  if (!rule) return "none";
  return rule.jurisdictions.join(", ") + (rule.ciphertext_abroad ? ", or anywhere as ciphertext" : "");
}

async function settingsView({ bucket }) {
  const section = h(
    "section",
    {},
    h(
      "h2",
      {},
      h("a", { href: "#/buckets" }, "Buckets"),
      " / ",
      h("a", { href: objectsHash(bucket, "") }, bucket),
      " / settings",
    ),
  );

  const versioning = await client.bucketVersioning(bucket);
  const setVersioning = (to) =>
    h(
      "button",
      {
        id: `versioning-${to.toLowerCase()}`,
        type: "button",
        onclick: () => act(`Versioning: ${to}`, () => client.setBucketVersioning(bucket, to)),
      },
      to === "Enabled" ? "Enable" : "Suspend",
    );
  section.append(
    h("h3", {}, "Versioning"),
    h("p", {}, "Status: ", h("strong", { id: "versioning" }, versioning || "never enabled"), " "),
    versioning === "Enabled" ? setVersioning("Suspended") : setVersioning("Enabled"),
  );

  section.append(h("h3", {}, "Data residency"));
  if (!isTenantRoot()) {
    section.append(h("p", { class: "muted" }, "A bucket's residency is its tenant root's to set."));
    return section;
  }
  const tenant = identity.tenant;
  let doc;
  try {
    doc = await client.residencyRule(tenant, bucket);
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
      [
        ["Bucket rule", ruleText(doc.rule)],
        ["In effect (with the tenant's ceiling)", ruleText(doc.effective)],
        ["New data is written to pool", doc.write_pool || "(none allowed)"],
        ["Objects in a pool the rules no longer allow", String(doc.misplaced_total)],
      ].map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", { dataset: { fact: k } }, v))),
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
        onclick: () => act("Removing the rule", () => client.setResidencyRule(tenant, bucket, null)),
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
    act("Setting the residency rule", () => client.setResidencyRule(tenant, bucket, rule));
  });
  section.append(form);
  if (doc.misplaced_total > 0) {
    section.append(
      h(
        "button",
        {
          id: "residency-migrate",
          type: "button",
          onclick: () => act("Moving misplaced objects", () => client.migrateResidency(tenant, bucket)),
        },
        `Move the ${doc.misplaced_total} misplaced object(s) to allowed pools`,
      ),
    );
  }

  // Where every byte is, pool by pool (the report's summary is signed into
  // the tenant's transparency log).
  const report = await client.residencyReport(tenant, bucket);
  const byPool = Object.entries(report.totals.by_pool || {});
  section.append(
    h("h4", {}, "Where the data is"),
    h(
      "table",
      { id: "residency-report" },
      h(
        "tr",
        {},
        ["Pool", "Objects", "Blobs", "Bytes"].map((t) => h("th", {}, t)),
      ),
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

// --- operator access requests ------------------------------------------------

function scopeText(r) {
  const buckets = r.buckets.length ? r.buckets.join(", ") : "(no bucket)";
  const prefixes = r.prefixes && r.prefixes.length ? ` under ${r.prefixes.join(", ")}` : "";
  return `${r.operations.join(", ")} on ${buckets}${prefixes}`;
}

// A tenant's root decides; the requesting operator may only withdraw
// (the server enforces both: this only offers what it would accept).
function actionsFor(r, decide) {
  const open = r.state === "pending" || r.state === "approved";
  if (isOperator()) {
    if (open && r.operator === identity.name) return decide(r, "cancel", "Cancel");
    // Break-glass opens once enough distinct operators signed it.
    const signed = (r.signers || []).includes(identity.name);
    if (r.category === "break_glass" && r.state === "pending" && !signed) return decide(r, "cosign", "Co-sign");
    return null;
  }
  if (r.state === "pending") return [decide(r, "approve", "Approve"), " ", decide(r, "deny", "Deny")];
  if (r.state === "approved") return decide(r, "revoke", "Revoke");
  return null;
}

const OPERATIONS = ["read", "list", "write", "delete", "keys"];
const CATEGORIES = ["support_case", "incident", "legal_order", "break_glass"];

// An operator's request for access to a tenant's data, which the tenant's
// root then approves or denies (break-glass: other operators co-sign).
function requestForm() {
  const tenant = h("input", { id: "ar-tenant", placeholder: "tenant", required: true });
  const buckets = h("input", { id: "ar-buckets", placeholder: "buckets, comma-separated, or *" });
  const prefixes = h("input", { id: "ar-prefixes", placeholder: "key prefixes (optional)" });
  const operations = OPERATIONS.map((op) =>
    h("label", {}, h("input", { type: "checkbox", name: op, checked: op === "read" }), ` ${op}`),
  );
  const category = h(
    "select",
    { id: "ar-category" },
    CATEGORIES.map((c) => h("option", { value: c }, c)),
  );
  const duration = h("input", { id: "ar-duration", type: "number", min: "1", value: "3600" });
  const reason = h("input", { id: "ar-reason", placeholder: "reason (the tenant sees it)", required: true });
  const form = h(
    "form",
    { id: "request-access" },
    tenant,
    buckets,
    prefixes,
    operations,
    category,
    h("label", {}, duration, " s"),
    reason,
    h("button", { type: "submit" }, "Request access"),
  );
  const list = (input) =>
    input.value
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x !== "");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const spec = {
      tenant: tenant.value.trim(),
      buckets: list(buckets),
      prefixes: list(prefixes),
      operations: operations
        .map((l) => l.firstChild)
        .filter((c) => c.checked)
        .map((c) => c.name),
      category: category.value,
      reason: reason.value,
      duration_seconds: Number(duration.value),
    };
    act("Requesting access", () => client.requestAccess(spec));
  });
  return h("div", {}, h("h3", {}, "Ask a tenant for access"), form);
}

async function accessView() {
  const requests = await client.accessRequests();
  const decide = (r, decision, label) =>
    h(
      "button",
      {
        class: decision,
        type: "button",
        onclick: () => {
          if (confirm(`${label} access request ${r.id} of operator ${r.operator}?`)) {
            act(`${label} ${r.id}`, () => client.decide(r.id, decision));
          }
        },
      },
      label,
    );
  const rows = requests.map((r) =>
    h(
      "tr",
      { dataset: { id: r.id } },
      h("td", {}, r.id),
      h("td", {}, r.operator),
      h("td", {}, r.category),
      h("td", {}, scopeText(r)),
      h("td", { class: "reason" }, r.reason),
      h("td", { class: "num" }, `${r.duration_seconds} s`),
      h(
        "td",
        { class: "state" },
        r.state,
        r.state === "approved" && r.approved_until ? ` until ${r.approved_until}` : "",
      ),
      h("td", { class: "signers" }, r.signers ? `${r.signers.join(", ")} (${r.quorum} needed)` : ""),
      h("td", {}, actionsFor(r, decide)),
    ),
  );
  return h(
    "section",
    {},
    h("h2", {}, "Operator access requests"),
    isOperator() ? requestForm() : null,
    h(
      "p",
      { class: "muted" },
      isOperator()
        ? "Your requests and every break-glass request. A tenant's data opens to you only once its root " +
            "approved your request (break-glass: once enough operators co-signed), and every step is in the " +
            "tenant's transparency log and yours."
        : "An operator reaches your data only through a request you approved, for the scope and time it names. " +
            "Every request and decision is in your transparency log.",
    ),
    requests.length === 0
      ? h("p", { class: "muted" }, "No request.")
      : h(
          "table",
          { id: "access-requests" },
          h(
            "tr",
            {},
            ["Id", "Operator", "Category", "Scope", "Reason", "Duration", "State", "Signed by", ""].map((t) =>
              h("th", {}, t),
            ),
          ),
          rows,
        ),
  );
}

// --- tenants (operators) ------------------------------------------------------

const GiB = 1024 * 1024 * 1024;

async function tenantsView() {
  if (!isOperator()) {
    return h(
      "section",
      {},
      h("h2", {}, "Tenants"),
      h("p", { class: "muted" }, "Tenants are the operators' to manage."),
    );
  }
  const tenants = await client.tenants();
  const usages = await Promise.all(tenants.map((t) => client.usage(t.id)));

  const id = h("input", { id: "tenant-id", placeholder: "id: a-z, 0-9, -", required: true });
  const name = h("input", { id: "tenant-name", placeholder: "display name" });
  const maxGiB = h("input", { id: "tenant-max-gib", type: "number", min: "0", placeholder: "GiB quota (0: none)" });
  const maxBuckets = h("input", { id: "tenant-max-buckets", type: "number", min: "0", placeholder: "bucket quota" });
  const form = h(
    "form",
    { id: "create-tenant" },
    id,
    name,
    maxGiB,
    maxBuckets,
    h("button", { type: "submit" }, "Create tenant"),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showError(null);
    const spec = { id: id.value.trim() };
    if (name.value.trim()) spec.display_name = name.value.trim();
    const quotas = {};
    if (Number(maxGiB.value) > 0) quotas.max_bytes = Math.round(Number(maxGiB.value) * GiB);
    if (Number(maxBuckets.value) > 0) quotas.max_buckets = Number(maxBuckets.value);
    if (Object.keys(quotas).length) spec.quotas = quotas;
    try {
      status(`Creating tenant ${spec.id}…`);
      const reply = await client.createTenant(spec);
      status("");
      await render();
      // The root's secret is in this reply only: show it once, to hand over.
      const c = reply.credentials;
      $("main").prepend(
        h(
          "div",
          { id: "new-credentials" },
          h("h3", {}, `Root credentials of tenant ${reply.tenant.id}: shown this once`),
          h(
            "pre",
            {},
            `access key: ${c.access_key}
secret key: ${c.secret_key}`,
          ),
          h(
            "p",
            { class: "muted" },
            "Hand them to the tenant over a channel you trust; the server keeps no copy it can show again.",
          ),
        ),
      );
    } catch (e) {
      status("");
      showError(e);
    }
  });

  const rows = tenants.map((t, i) => {
    const u = usages[i];
    const q = t.quotas || {};
    const suspended = t.status === "suspended";
    return h(
      "tr",
      { dataset: { tenant: t.id } },
      h("td", {}, t.id),
      h("td", {}, t.display_name || ""),
      h("td", { class: "status" }, t.status),
      h("td", { class: "num" }, quotaText(u.buckets, q.max_buckets, String)),
      h("td", { class: "num" }, String(u.objects)),
      h("td", { class: "num" }, quotaText(u.bytes, q.max_bytes, humanSize)),
      h(
        "td",
        {},
        h(
          "button",
          {
            class: suspended ? "resume" : "suspend",
            type: "button",
            onclick: () => {
              const to = suspended ? "active" : "suspended";
              if (
                suspended ||
                confirm(`Suspend tenant ${t.id}? Every request of its users is refused until resumed.`)
              ) {
                act(`Tenant ${t.id}: ${to}`, () => client.updateTenant(t.id, { status: to }));
              }
            },
          },
          suspended ? "Resume" : "Suspend",
        ),
        " ",
        h(
          "button",
          {
            class: "delete danger",
            type: "button",
            onclick: () => {
              if (confirm(`Delete tenant ${t.id}? It must own no bucket.`))
                act(`Deleting ${t.id}`, () => client.deleteTenant(t.id));
            },
          },
          "Delete",
        ),
      ),
    );
  });
  return h(
    "section",
    {},
    h("h2", {}, "Tenants"),
    form,
    h(
      "table",
      { id: "tenants" },
      h(
        "tr",
        {},
        ["Id", "Name", "Status", "Buckets", "Objects", "Bytes", ""].map((x) => h("th", {}, x)),
      ),
      rows,
    ),
  );
}

// --- the tenant's key --------------------------------------------------------

const JUSTIFICATIONS = [
  ["TENANT_REQUEST", "your own requests (and those your policies allow)"],
  ["OPERATOR_APPROVED", "an operator's access you approved"],
  ["SYSTEM_MAINTENANCE", "the server's own upkeep (rotation, scrub, residency moves)"],
  ["LEGAL_ORDER", "access under a legal order"],
];

function isOperator() {
  return identity !== null && identity.kind === "operator";
}

function isTenantRoot() {
  return identity !== null && identity.kind === "tenant" && identity.user === "root";
}

function timeOf(ms) {
  return ms ? new Date(ms).toISOString() : "";
}

async function keysView() {
  if (!isTenantRoot()) {
    return h(
      "section",
      {},
      h("h2", {}, "Tenant key"),
      h("p", { class: "muted" }, "Only a tenant's root manages its key."),
    );
  }
  const tenant = identity.tenant;
  const key = await client.tenantKey(tenant);
  const facts = [
    ["State", key.state],
    ["Version", key.version],
    ["Key id at the provider", key.provider_key_id],
    ["Created", timeOf(key.created_ms)],
    ["Rotated", timeOf(key.rotated_ms)],
    ["Destroyed", timeOf(key.destroyed_ms)],
  ].filter(([, v]) => v !== undefined && v !== "" && v !== 0);
  const section = h(
    "section",
    {},
    h("h2", {}, `Key of tenant ${tenant}`),
    h(
      "p",
      { class: "muted" },
      "Every object of the tenant is encrypted under keys wrapped by this key. It serves a request only under a " +
        "justification you allow; destroying it makes all the tenant's data unreadable for good.",
    ),
    h(
      "table",
      { id: "key-facts" },
      facts.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", { dataset: { fact: k } }, String(v)))),
    ),
  );
  if (key.state === "destroyed") return section;

  const allowed = new Set(key.allowed_justifications || []);
  const boxes = JUSTIFICATIONS.map(([name, help]) =>
    h("label", {}, h("input", { type: "checkbox", name, checked: allowed.has(name) }), ` ${name}: ${help}`),
  );
  const policy = h(
    "form",
    { id: "key-policy", class: "login" },
    h("h3", {}, "Allowed justifications"),
    boxes,
    h("button", { type: "submit" }, "Save"),
  );
  policy.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const chosen = boxes
      .map((b) => b.firstChild)
      .filter((c) => c.checked)
      .map((c) => c.name);
    act("Saving the key policy", () => client.allowJustifications(tenant, chosen));
  });
  section.append(policy);
  if (key.state !== "active") return section;

  const rotation = await client.tenantKeyRotation(tenant);
  section.append(
    h("h3", {}, "Rotation"),
    h(
      "p",
      { id: "rotation" },
      rotation.state === "idle"
        ? "No rotation since the server started."
        : `Rotation to version ${rotation.to_version}: ${rotation.state}, ${rotation.buckets_done} of ` +
            `${rotation.buckets_total} buckets` +
            (rotation.error ? `. ${rotation.error}` : "."),
    ),
    h(
      "button",
      {
        id: "rotate",
        type: "button",
        onclick: () => act("Rotating the tenant key", () => client.rotateTenantKey(tenant)),
      },
      "Rotate the key",
    ),
  );

  const confirmation = h("input", { id: "destroy-confirm", placeholder: tenant, autocomplete: "off" });
  const destroy = h(
    "form",
    { id: "destroy-key" },
    h("h3", {}, "Destroy the key (crypto-shredding)"),
    h("p", {}, `Type the tenant's name, ${tenant}, to destroy its key. This cannot be undone.`),
    confirmation,
    h("button", { type: "submit", class: "danger" }, "Destroy"),
  );
  destroy.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showError(null);
    try {
      status("Destroying the tenant key…");
      const done = await client.destroyTenantKey(tenant, confirmation.value);
      status("");
      await render();
      // The receipt, to keep: it proves when and by whom the key was
      // destroyed (confiance log verify-receipt).
      $("main").append(h("h3", {}, "Deletion receipt"), h("pre", { id: "receipt" }, done.receipt));
    } catch (e) {
      status("");
      showError(e);
    }
  });
  section.append(destroy);
  return section;
}

// --- the transparency log ---------------------------------------------------

async function latestEntries(cp) {
  const entries = [];
  let end = cp.size;
  while (end > 0 && entries.length < ENTRIES_SHOWN) {
    const bundle = parseEntryBundle(await client.logBytes(entryBundleResource(end - 1, end)));
    const first = end - bundle.length;
    for (let i = bundle.length - 1; i >= 0 && entries.length < ENTRIES_SHOWN; i--) {
      entries.push({ index: first + i, text: bundle[i] });
    }
    end = first;
  }
  return entries;
}

function entryNode({ index, text }) {
  let summary = "";
  try {
    const e = JSON.parse(text);
    summary = [e.time, e.operation || e.action, e.bucket, e.key, e.target, e.status, e.error]
      .filter((x) => x !== undefined && x !== "")
      .join("  ");
  } catch {
    summary = "(not JSON)";
  }
  return h(
    "details",
    { class: "entry", dataset: { index: String(index) } },
    h("summary", {}, `#${index}  ${summary}`),
    h("pre", {}, text),
  );
}

async function logView() {
  const key = await client.logText("/key");
  const section = h(
    "section",
    {},
    h("h2", {}, "Transparency log"),
    h("p", {}, "The log's verifier key, to pin once and keep:"),
    h("pre", { id: "log-key" }, key),
  );
  let note;
  try {
    note = await client.logText("/checkpoint");
  } catch (e) {
    // A new log's first checkpoint comes within a second of its first entry.
    if (e instanceof ApiError && e.code === "NoSuchKey") {
      section.append(h("p", { id: "no-checkpoint", class: "muted" }, "No checkpoint yet."));
      return section;
    }
    throw e;
  }
  const cp = parseCheckpoint(note);
  const entries = await latestEntries(cp);
  section.append(
    h("p", {}, `Log ${cp.origin}: ${cp.size} entries. The latest signed checkpoint:`),
    h("pre", { id: "checkpoint" }, note),
    h(
      "p",
      { class: "muted" },
      "This page shows the log. To prove it complete and never rewritten, verify it where you trust the code: " +
        "confiance log tail --once --key-file KEY (exports and checks every entry) and confiance log verify.",
    ),
    h("h3", {}, `The latest ${entries.length} entries, newest first`),
    h("div", { id: "entries" }, entries.map(entryNode)),
  );
  return section;
}

// --- start -----------------------------------------------------------------

async function start() {
  try {
    const config = await (await fetch("config.json", { cache: "no-store" })).json();
    region = config.region;
  } catch (e) {
    showError(new Error(`cannot read config.json: ${e.message}`));
  }
  $("sign-out").addEventListener("click", signOut);
  window.addEventListener("hashchange", () => {
    showError(null);
    render();
  });
  await render();
}

start();
