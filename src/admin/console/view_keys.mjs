// The tenant key, for its tenant's root (docs/keys.md): justifications, rotation, crypto-shredding;
// and the tenant's named KMS keys for SSE-KMS: listed, created, rotated, destroyed.

import {
  $,
  act,
  factRows,
  h,
  headerRow,
  isTenantRoot,
  redraw,
  session,
  showError,
  status,
  timeOf,
  whileBusy,
} from "./ui.mjs";

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
  const [key, named] = await Promise.all([session.client.tenantKey(tenant), kmsKeysSection(tenant)]);
  const section = await tenantKeySection(tenant, key);
  return h("div", {}, section, named);
}

// Runs `fn` (a destruction answering with a signed receipt), then shows the
// receipt under the redrawn page: it proves when and by whom the key was
// destroyed (confiance log verify-receipt).
function destroyWithReceipt(what, fn) {
  whileBusy(async () => {
    showError(null);
    try {
      status(`${what}…`);
      const done = await fn();
      status("");
      await redraw();
      $("main").append(h("h3", {}, "Deletion receipt"), h("pre", { id: "receipt" }, done.receipt));
    } catch (e) {
      status("");
      showError(e);
    }
  });
}

async function tenantKeySection(tenant, key) {
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
    destroyWithReceipt("Destroying the tenant key", () => session.client.destroyTenantKey(tenant, confirmation.value));
  });
  section.append(destroy);
  return section;
}

// The named KMS keys: what SSE-KMS requests name (--sse-kms-key-id alias/NAME).
async function kmsKeysSection(tenant) {
  const { keys } = await session.client.kmsKeys(tenant);
  const rows = keys.map((k) =>
    h(
      "tr",
      { dataset: { key: k.name } },
      h("td", {}, k.name),
      h("td", {}, h("code", {}, `alias/${k.name}`)),
      h("td", { class: "state" }, k.state),
      h("td", { class: "version" }, String(k.version || 1)),
      h("td", {}, (k.allowed_justifications || []).join(", ") || "none"),
      h("td", {}, k.description || ""),
      // A rotation re-encrypts nothing: new objects get the new version,
      // older ones keep theirs (docs/keys.md "Rotating a named key").
      h(
        "td",
        {},
        k.state === "active"
          ? h(
              "button",
              {
                class: "rotate",
                type: "button",
                onclick: () => act(`Rotating KMS key ${k.name}`, () => session.client.rotateKmsKey(tenant, k.name)),
              },
              "Rotate",
            )
          : "",
      ),
    ),
  );
  const section = h(
    "section",
    { id: "kms-keys-section" },
    h("h2", {}, "Named KMS keys"),
    h(
      "p",
      { class: "muted" },
      "SSE-KMS objects may name one of these keys instead of the tenant key " +
        "(aws s3 cp … --sse aws:kms --sse-kms-key-id alias/NAME). Rotating one gives new objects a new " +
        "version and keeps the older ones readable. Destroying one makes exactly the objects " +
        "under it unreadable for good.",
    ),
    keys.length
      ? h(
          "table",
          { id: "kms-keys" },
          headerRow("Name", "Key id", "State", "Version", "Allowed justifications", "Description", ""),
          rows,
        )
      : h("p", { id: "kms-keys" }, "No named key yet."),
  );

  const name = h("input", { id: "kms-key-name", placeholder: "name (A-Z a-z 0-9 - _)", autocomplete: "off" });
  const description = h("input", { id: "kms-key-description", placeholder: "what it is for", autocomplete: "off" });
  const create = h(
    "form",
    { id: "kms-key-create", class: "login" },
    h("h3", {}, "Create a key"),
    name,
    description,
    h("button", { type: "submit" }, "Create"),
  );
  create.addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(`Creating KMS key ${name.value}`, () => session.client.createKmsKey(tenant, name.value, description.value));
  });
  section.append(create);

  const active = keys.filter((k) => k.state === "active");
  if (!active.length) return section;
  const doomed = h("input", { id: "kms-key-destroy-name", placeholder: active[0].name, autocomplete: "off" });
  const confirmation = h("input", {
    id: "kms-key-destroy-confirm",
    placeholder: "the name again",
    autocomplete: "off",
  });
  const destroy = h(
    "form",
    { id: "kms-key-destroy" },
    h("h3", {}, "Destroy a key (crypto-shredding its objects)"),
    h("p", {}, "Type the key's name twice. This cannot be undone."),
    doomed,
    confirmation,
    h("button", { type: "submit", class: "danger" }, "Destroy"),
  );
  destroy.addEventListener("submit", (ev) => {
    ev.preventDefault();
    destroyWithReceipt(`Destroying KMS key ${doomed.value}`, () =>
      session.client.destroyKmsKey(tenant, doomed.value, confirmation.value),
    );
  });
  section.append(destroy);
  return section;
}
