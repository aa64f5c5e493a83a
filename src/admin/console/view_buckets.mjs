// The bucket list (with a tenant root's usage against its quotas, in total and
// bucket by bucket), bucket creation and deletion.

import { act, h, headerRow, humanSize, isTenantRoot, objectsHash, quotaText, session } from "./ui.mjs";

// One bucket's objects and bytes, against its own quota if it has one.
function shareText(share) {
  if (!share) return "";
  const q = share.quota || {};
  return `${quotaText(share.objects, q.max_objects, String)} objects, ${quotaText(share.bytes, q.max_bytes, humanSize)}`;
}

export async function bucketsView() {
  const buckets = await session.client.listBuckets();
  // A tenant root sees its tenant's usage against its quotas.
  let usage = null;
  const shares = new Map();
  if (isTenantRoot()) {
    const u = await session.client.usage(session.identity.tenant);
    for (const b of u.per_bucket || []) shares.set(b.bucket, b);
    const q = u.quotas || {};
    usage = h(
      "p",
      { id: "usage", class: "muted" },
      `Tenant ${session.identity.tenant}: ${quotaText(u.buckets, q.max_buckets, String)} buckets, ` +
        `${quotaText(u.objects, q.max_objects, String)} objects, ${quotaText(u.bytes, q.max_bytes, humanSize)}.`,
    );
  }
  const name = h("input", { id: "bucket-name", placeholder: "new-bucket-name", required: true });
  const create = h("form", { id: "create-bucket" }, name, h("button", { type: "submit" }, "Create bucket"));
  create.addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(`Creating ${name.value}`, () => session.client.createBucket(name.value.trim()));
  });
  const rows = buckets.map((b) =>
    h(
      "tr",
      { dataset: { bucket: b.name } },
      h("td", {}, h("a", { href: objectsHash(b.name, "") }, b.name)),
      h("td", {}, b.created),
      isTenantRoot() ? h("td", { class: "num usage" }, shareText(shares.get(b.name))) : null,
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
                act(`Deleting ${b.name}`, () => session.client.deleteBucket(b.name));
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
      : h(
          "table",
          { id: "buckets" },
          isTenantRoot() ? headerRow("Name", "Created", "Usage (quota)", "") : headerRow("Name", "Created", ""),
          rows,
        ),
  );
}
