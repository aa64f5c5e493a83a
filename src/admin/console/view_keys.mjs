// The tenant key, for its tenant's root (docs/keys.md): justifications, rotation, crypto-shredding.

import { $, act, factRows, h, isTenantRoot, redraw, session, showError, status, timeOf, whileBusy } from "./ui.mjs";

const JUSTIFICATIONS = [
  ["TENANT_REQUEST", "your own requests (and those your policies allow)"],
  ["OPERATOR_APPROVED", "an operator's access you approved"],
  ["SYSTEM_MAINTENANCE", "the server's own upkeep (rotation, scrub, residency moves)"],
  ["LEGAL_ORDER", "access under a legal order"],
];

export async function keysView() {
  if (!isTenantRoot()) {
    return h(
      "section",
      {},
      h("h2", {}, "Tenant key"),
      h("p", { class: "muted" }, "Only a tenant's root manages its key."),
    );
  }
  const tenant = session.identity.tenant;
  const key = await session.client.tenantKey(tenant);
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
    h("table", { id: "key-facts" }, factRows(facts)),
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
    act("Saving the key policy", () => session.client.allowJustifications(tenant, chosen));
  });
  section.append(policy);
  if (key.state !== "active") return section;

  const rotation = await session.client.tenantKeyRotation(tenant);
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
        onclick: () => act("Rotating the tenant key", () => session.client.rotateTenantKey(tenant)),
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
  destroy.addEventListener("submit", (ev) => {
    ev.preventDefault();
    whileBusy(async () => {
      showError(null);
      try {
        status("Destroying the tenant key…");
        const done = await session.client.destroyTenantKey(tenant, confirmation.value);
        status("");
        await redraw();
        // The receipt, to keep: it proves when and by whom the key was
        // destroyed (confiance log verify-receipt).
        $("main").append(h("h3", {}, "Deletion receipt"), h("pre", { id: "receipt" }, done.receipt));
      } catch (e) {
        status("");
        showError(e);
      }
    });
  });
  section.append(destroy);
  return section;
}
