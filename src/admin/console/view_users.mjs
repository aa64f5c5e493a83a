// Users, their access keys and identity policies, for a tenant's root
// (docs/tenancy.md): a user is refused everything until a policy allows
// it; a new key's secret is shown once.

import { act, createWithSecret, h, headerRow, isTenantRoot, jsonEditor, session } from "./ui.mjs";

function userHash(name) {
  return `#/u/${encodeURIComponent(name)}`;
}

function rootOnly(title) {
  return h("section", {}, h("h2", {}, title), h("p", { class: "muted" }, "Only a tenant's root manages its users."));
}

export async function usersView() {
  if (!isTenantRoot()) return rootOnly("Users");
  const tenant = session.identity.tenant;
  const users = await session.client.users(tenant);
  const name = h("input", { id: "user-name", placeholder: "user name", required: true });
  const form = h("form", { id: "create-user" }, name, h("button", { type: "submit" }, "Create user"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const user = name.value.trim();
    createWithSecret(
      `Creating user ${user}`,
      async () => (await session.client.createUser(tenant, user)).credentials,
      `Access key of user ${user}`,
    );
  });
  return h(
    "section",
    {},
    h("h2", {}, `Users of tenant ${tenant}`),
    h("p", { class: "muted" }, "A new user may do nothing until one of its policies allows it."),
    form,
    h(
      "table",
      { id: "users" },
      headerRow("Name", "Created", "Access keys", "Policies"),
      users.map((u) =>
        h(
          "tr",
          { dataset: { user: u.name } },
          h("td", {}, h("a", { href: userHash(u.name) }, u.name)),
          h("td", {}, u.created || ""),
          h("td", { class: "num" }, String((u.access_keys || []).length)),
          h("td", {}, (u.policies || []).join(", ")),
        ),
      ),
    ),
  );
}

function policyEditor(tenant, user, name, text) {
  const policyName = h("input", { class: "policy-name", placeholder: "policy name", value: name, required: true });
  const documentText = jsonEditor({ class: "policy-document" }, "policy document (JSON)", text);
  const form = h(
    "form",
    { class: "policy login", dataset: { policy: name } },
    policyName,
    documentText,
    h("button", { type: "submit" }, "Save policy"),
    name
      ? h(
          "button",
          {
            class: "delete danger",
            type: "button",
            onclick: () => {
              if (confirm(`Delete policy ${name} of ${user}?`)) {
                act(`Deleting policy ${name}`, () => session.client.deletePolicy(tenant, user, name));
              }
            },
          },
          "Delete policy",
        )
      : null,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const target = policyName.value.trim();
    act(`Saving policy ${target}`, () => session.client.putPolicy(tenant, user, target, documentText.value));
  });
  return form;
}

const EXAMPLE_POLICY = JSON.stringify(
  {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject"], Resource: "*" }],
  },
  null,
  2,
);

export async function userView({ user }) {
  if (!isTenantRoot()) return rootOnly(`User ${user}`);
  const tenant = session.identity.tenant;
  const u = await session.client.user(tenant, user);
  const keyRows = (u.access_keys || []).map((k) => {
    const active = k.status === "Active";
    return h(
      "tr",
      { dataset: { key: k.access_key } },
      h("td", {}, k.access_key),
      h("td", { class: "status" }, k.status),
      h(
        "td",
        {},
        h(
          "button",
          {
            class: active ? "disable" : "enable",
            type: "button",
            onclick: () =>
              act(`${active ? "Disabling" : "Enabling"} ${k.access_key}`, () =>
                session.client.setAccessKeyStatus(tenant, user, k.access_key, active ? "Inactive" : "Active"),
              ),
          },
          active ? "Disable" : "Enable",
        ),
        " ",
        h(
          "button",
          {
            class: "delete danger",
            type: "button",
            onclick: () => {
              if (confirm(`Delete access key ${k.access_key}? Clients using it stop working.`)) {
                act(`Deleting ${k.access_key}`, () => session.client.deleteAccessKey(tenant, user, k.access_key));
              }
            },
          },
          "Delete",
        ),
      ),
    );
  });
  const policies = await Promise.all(
    (u.policies || []).map(async (name) => [name, await session.client.policy(tenant, user, name)]),
  );
  const section = h(
    "section",
    {},
    h("h2", {}, h("a", { href: "#/users" }, "Users"), ` / ${user}`),
    h("p", { class: "muted" }, u.arn),
    h("h3", {}, "Access keys"),
    h("table", { id: "access-keys" }, keyRows),
    h(
      "button",
      {
        id: "create-key",
        type: "button",
        onclick: () =>
          createWithSecret(
            "Creating an access key",
            () => session.client.createAccessKey(tenant, user),
            `New access key of ${user}`,
          ),
      },
      "Create an access key",
    ),
  );
  if (user !== "root") {
    section.append(
      h("h3", {}, "Identity policies"),
      h(
        "div",
        { id: "policies" },
        policies.map(([name, text]) => policyEditor(tenant, user, name, text)),
      ),
      h("h4", {}, "New policy"),
      h("div", { id: "new-policy" }, policyEditor(tenant, user, "", EXAMPLE_POLICY)),
      h(
        "button",
        {
          id: "delete-user",
          class: "danger",
          type: "button",
          onclick: () => {
            if (confirm(`Delete user ${user} and its access keys?`)) {
              act(`Deleting ${user}`, async () => {
                await session.client.deleteUser(tenant, user);
                location.hash = "#/users";
              });
            }
          },
        },
        "Delete user",
      ),
    );
  }
  return section;
}
