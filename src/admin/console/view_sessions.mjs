// Temporary credentials (docs/sts.md), for a tenant's root or user: expiring
// credentials with the signed-in principal's permissions, or fewer under a
// session policy, to hand to a job or a person. Shown once, never stored.

import { $, factRows, h, isOperator, jsonEditor, session, showError, status, whileBusy } from "./ui.mjs";

const EXAMPLE_POLICY = JSON.stringify(
  {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::BUCKET/PREFIX/*" }],
  },
  null,
  2,
);

// What to paste into a shell for any AWS client.
function environment(c) {
  return [
    `export AWS_ACCESS_KEY_ID=${c.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}`,
    `export AWS_SESSION_TOKEN=${c.sessionToken}`,
    `export AWS_ENDPOINT_URL=${location.origin}`,
  ].join("\n");
}

function showCredentials(c, narrowed) {
  $("session-result").replaceChildren(
    h("h3", {}, "Temporary credentials: shown this once"),
    h(
      "table",
      { id: "session-facts" },
      factRows([
        ["Access key", c.accessKeyId],
        ["Expires", c.expiration],
        ["Permissions", narrowed ? "yours, narrowed by the policy" : "yours"],
      ]),
    ),
    h("pre", { id: "session-env" }, environment(c)),
    h(
      "p",
      { class: "muted" },
      "The server keeps no copy it can show again. Disabling or deleting your access key ends these credentials too.",
    ),
  );
}

export async function sessionsView() {
  const section = h("section", {}, h("h2", {}, "Temporary credentials"));
  if (isOperator()) {
    section.append(
      h("p", { class: "muted" }, "Operators get no temporary credentials: only a tenant's principals do."),
    );
    return section;
  }
  const duration = h("input", { id: "session-duration", type: "number", min: "900", max: "129600", value: "3600" });
  const name = h("input", {
    id: "session-name",
    placeholder: "name (with a policy), e.g. ci-job",
    autocomplete: "off",
  });
  const policy = jsonEditor({ id: "session-policy", placeholder: EXAMPLE_POLICY }, "Session policy", "");
  const form = h(
    "form",
    { id: "session-form", class: "login" },
    h(
      "p",
      { class: "muted" },
      "Without a policy the credentials can do what you can; with one, only what both you and the policy allow.",
    ),
    h("label", {}, "Lifetime in seconds (900 to 129,600) ", duration),
    name,
    policy,
    h("button", { type: "submit" }, "Get credentials"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    whileBusy(async () => {
      showError(null);
      status("Getting temporary credentials…");
      try {
        const narrowed = policy.value.trim() !== "";
        const c = narrowed
          ? await session.client.temporaryCredentials("GetFederationToken", {
              DurationSeconds: duration.value,
              Name: name.value || "console",
              Policy: policy.value,
            })
          : await session.client.temporaryCredentials("GetSessionToken", { DurationSeconds: duration.value });
        status("");
        showCredentials(c, narrowed);
      } catch (e) {
        status("");
        showError(e);
      }
    });
  });
  section.append(form, h("div", { id: "session-result" }));
  return section;
}
