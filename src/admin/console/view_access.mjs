// Operator access requests (the lockbox): a tenant's root decides; an operator asks, withdraws, co-signs break-glass.

import { act, h, headerRow, isOperator, session } from "./ui.mjs";

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
    if (open && r.operator === session.identity.name) return decide(r, "cancel", "Cancel");
    // Break-glass opens once enough distinct operators signed it.
    const signed = (r.signers || []).includes(session.identity.name);
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
    { id: "ar-category", "aria-label": "category" },
    CATEGORIES.map((c) => h("option", { value: c }, c)),
  );
  const duration = h("input", {
    id: "ar-duration",
    type: "number",
    min: "1",
    value: "3600",
    "aria-label": "duration in seconds",
  });
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
    act("Requesting access", () => session.client.requestAccess(spec));
  });
  return h("div", {}, h("h3", {}, "Ask a tenant for access"), form);
}

export async function accessView() {
  const requests = await session.client.accessRequests();
  const decide = (r, decision, label) =>
    h(
      "button",
      {
        class: decision,
        type: "button",
        onclick: () => {
          if (confirm(`${label} access request ${r.id} of operator ${r.operator}?`)) {
            act(`${label} ${r.id}`, () => session.client.decide(r.id, decision));
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
          headerRow("Id", "Operator", "Category", "Scope", "Reason", "Duration", "State", "Signed by", ""),
          rows,
        ),
  );
}
