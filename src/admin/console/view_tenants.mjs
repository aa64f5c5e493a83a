// Tenants, for operators: usage against quotas, creation, suspension, deletion.

import { act, createWithSecret, h, headerRow, humanSize, isOperator, quotaText, session } from "./ui.mjs";

const GiB = 1024 * 1024 * 1024;

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
    h("table", { id: "tenants" }, headerRow("Id", "Name", "Status", "Buckets", "Objects", "Bytes", ""), rows),
  );
}
