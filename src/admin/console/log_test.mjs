// Unit tests of the console's log readers (node --test; CTest:
// console_log_test).
import assert from "node:assert/strict";
import test from "node:test";

import { describeSigners, entryBundleResource, parseCheckpoint, parseEntryBundle, tileIndexPath } from "./log.mjs";

test("tile indexes in 3-digit groups", () => {
  assert.equal(tileIndexPath(0), "000");
  assert.equal(tileIndexPath(7), "007");
  assert.equal(tileIndexPath(999), "999");
  assert.equal(tileIndexPath(1000), "x001/000");
  assert.equal(tileIndexPath(1234067), "x001/x234/067");
});

test("the bundle of an entry, partial at the tree's end", () => {
  assert.equal(entryBundleResource(0, 1), "/tile/entries/000.p/1");
  assert.equal(entryBundleResource(255, 256), "/tile/entries/000");
  assert.equal(entryBundleResource(255, 300), "/tile/entries/000");
  assert.equal(entryBundleResource(256, 300), "/tile/entries/001.p/44");
  assert.equal(entryBundleResource(256 * 1000 + 5, 256 * 1000 + 6), "/tile/entries/x001/000.p/6");
});

test("entry bundles: length-prefixed entries, truncation refused", () => {
  const a = new TextEncoder().encode('{"v":1}');
  const b = new Uint8Array(300).fill(0x61);
  const bundle = new Uint8Array([0, a.length, ...a, 300 >> 8, 300 & 0xff, ...b]);
  assert.deepEqual(parseEntryBundle(bundle), ['{"v":1}', "a".repeat(300)]);
  assert.deepEqual(parseEntryBundle(new Uint8Array()), []);
  assert.throws(() => parseEntryBundle(bundle.subarray(0, bundle.length - 1)), /truncated/);
  assert.throws(() => parseEntryBundle(new Uint8Array([0])), /truncated/);
});

test("checkpoint notes", () => {
  const note =
    "confiance.example/tenant/acme\n42\nq3A0bXJvb3RoYXNoMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY=\n\n" +
    "\u2014 confiance.example/tenant/acme AAAAAbase64sig\n";
  const cp = parseCheckpoint(note);
  assert.equal(cp.origin, "confiance.example/tenant/acme");
  assert.equal(cp.size, 42);
  assert.equal(cp.signatures.length, 1);
  assert.deepEqual(cp.signers, ["confiance.example/tenant/acme"]);
  assert.throws(() => parseCheckpoint("origin\nnot-a-number\nhash\n\n"), /not a checkpoint/);
});

test("who signed a checkpoint: the log, then its witnesses", () => {
  const text = "confiance.example/tenant/acme\n42\nq3A0bXJvb3RoYXNoMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY=\n\n";
  const log = "\u2014 confiance.example AAAAAbase64sig\n";
  const w1 = "\u2014 witness.example/w1 BBBBBbase64sig\n";
  const w2 = "\u2014 witness.example/w2 CCCCCbase64sig\n";
  assert.equal(describeSigners(parseCheckpoint(text + log), "confiance.example"),
               "Signed by the log (confiance.example); not cosigned by any witness.");
  assert.equal(describeSigners(parseCheckpoint(text + log + w1), "confiance.example"),
               "Signed by the log (confiance.example); cosigned by 1 witness: witness.example/w1.");
  assert.deepEqual(parseCheckpoint(text + log + w1 + w2).signers,
                   ["confiance.example", "witness.example/w1", "witness.example/w2"]);
  assert.equal(
    describeSigners(parseCheckpoint(text + log + w1 + w2), "confiance.example"),
    "Signed by the log (confiance.example); cosigned by 2 witnesses: witness.example/w1, witness.example/w2.",
  );
  assert.equal(describeSigners(parseCheckpoint(text + w1), "confiance.example"),
               "Not signed by the log's key; cosigned by 1 witness: witness.example/w1.");
});
