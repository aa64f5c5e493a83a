// Tenants, for operators: usage against quotas, rate limits, creation, suspension, deletion.

import { act, createWithSecret, h, headerRow, humanSize, isOperator, quotaText, session } from "./ui.mjs";

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

// One class of a tenant's rate limits (docs/tenancy.md), as the CLI says it.
function rateClassText(ops, bytes) {
  const parts = [];
  if (ops) parts.push(`${ops}/s`);
  if (bytes) parts.push(`${humanSize(bytes)}/s`);
  return parts.length ? parts.join(", ") : "unlimited";
}

function rateLimitsText(r = {}) {
  return (
    `reads ${rateClassText(r.read_ops_per_second, r.read_bytes_per_second)}; ` +
    `writes ${rateClassText(r.write_ops_per_second, r.write_bytes_per_second)}`
  );
}

// Sets the limits typed into the form; an empty field leaves its limit as it is, 0 lifts it.
function rateLimitsForm(tenants) {
  const tenant = h(
    "select",
    { id: "rl-tenant", "aria-label": "tenant" },
    tenants.map((t) => h("option", { value: t.id }, t.id)),
  );
  const field = (id, placeholder) => h("input", { id, type: "number", min: "0", placeholder });
  const readOps = field("rl-read-ops", "reads/s");
  const writeOps = field("rl-write-ops", "writes/s");
  const readMiB = field("rl-read-mib", "read MiB/s");
  const writeMiB = field("rl-write-mib", "write MiB/s");
  const form = h(
    "form",
    { id: "rate-limits" },
    tenant,
    readOps,
    writeOps,
    readMiB,
    writeMiB,
    h("button", { type: "submit" }, "Set rate limits"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const limits = {};
    const take = (input, name, unit) => {
      if (input.value.trim() !== "") limits[name] = Math.round(Number(input.value) * unit);
    };
    take(readOps, "read_ops_per_second", 1);
    take(writeOps, "write_ops_per_second", 1);
    take(readMiB, "read_bytes_per_second", MiB);
    take(writeMiB, "write_bytes_per_second", MiB);
    if (!Object.keys(limits).length) return;
    act(`Rate limits of ${tenant.value}`, () => session.client.updateTenant(tenant.value, { rate_limits: limits }));
  });
  return form;
}

export async function tenantsView() {
  if (!isOperator()) {
    return h(
      "section",
      {},
      h("h2", {}, "Tenants"),
      h("p", { class: "muted" }, "Tenants are the operators' to manage."),
    );
  }
  const tenants = await session.client.tenants();
  const usages = await Promise.all(tenants.map((t) => session.client.usage(t.id)));

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
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const spec = { id: id.value.trim() };
    if (name.value.trim()) spec.display_name = name.value.trim();
    const quotas = {};
    if (Number(maxGiB.value) > 0) quotas.max_bytes = Math.round(Number(maxGiB.value) * GiB);
    if (Number(maxBuckets.value) > 0) quotas.max_buckets = Number(maxBuckets.value);
    if (Object.keys(quotas).length) spec.quotas = quotas;
    // The root's secret is in this reply only: shown once, to hand over.
    createWithSecret(
      `Creating tenant ${spec.id}`,
      async () => (await session.client.createTenant(spec)).credentials,
      `Root credentials of tenant ${spec.id}`,
      "Hand them to the tenant over a channel you trust.",
    );
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
      h("td", { class: "rate-limits" }, rateLimitsText(t.rate_limits)),
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
                act(`Tenant ${t.id}: ${to}`, () => session.client.updateTenant(t.id, { status: to }));
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
                act(`Deleting ${t.id}`, () => session.client.deleteTenant(t.id));
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
      headerRow("Id", "Name", "Status", "Buckets", "Objects", "Bytes", "Rate limits", ""),
      rows,
    ),
    h("h3", {}, "Rate limits"),
    h(
      "p",
      { class: "muted" },
      "Requests and bytes per second; a tenant over them gets 503 SlowDown, which S3 clients retry. " +
        "An empty field keeps its limit; 0 lifts it.",
    ),
    rateLimitsForm(tenants),
  );
}
