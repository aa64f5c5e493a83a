// Unit tests of the console's SigV4 signer (node --test; CTest runs it as
// console_sigv4_test): AWS's published vectors, so the browser signs
// exactly as the SDKs do. The end-to-end proof that the server accepts
// these signatures is tests/e2e/test_console.py (a real browser).
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import test from "node:test";

// Node 18 (Debian 12) has Web Crypto only under node:crypto.
if (!globalThis.crypto) globalThis.crypto = webcrypto;

const {
  EMPTY_SHA256,
  amzDate,
  canonicalQuery,
  encodePath,
  presignQuery,
  sha256Base64,
  sha256Hex,
  signRequest,
  uriEncode,
} = await import("./sigv4.mjs");

// aws-sig-v4-test-suite: service "service", region us-east-1.
const SUITE = {
  accessKey: "AKIDEXAMPLE",
  secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  region: "us-east-1",
  service: "service",
  date: new Date(Date.UTC(2015, 7, 30, 12, 36, 0)),
};

async function suiteSignature(method, path, query, extraHeaders = {}, payloadHash = EMPTY_SHA256) {
  const signed = await signRequest({
    ...SUITE,
    method,
    path,
    query,
    headers: { Host: "example.amazonaws.com", ...extraHeaders },
    payloadHash,
  });
  return signed.Authorization.match(/Signature=([0-9a-f]{64})$/)[1];
}

test("aws-sig-v4-test-suite vectors", async () => {
  const cases = [
    ["get-vanilla", "GET", "/", [], {}, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"],
    [
      "get-vanilla-query-order-key-case",
      "GET",
      "/",
      [
        ["Param2", "value2"],
        ["Param1", "value1"],
      ],
      {},
      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ],
    [
      "get-vanilla-empty-query-key",
      "GET",
      "/",
      [["Param1", "value1"]],
      {},
      "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
    ],
    [
      "get-header-value-trim",
      "GET",
      "/",
      [],
      { "My-Header1": " value1", "My-Header2": ' "a   b   c"' },
      "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    ],
    [
      "get-utf8",
      "GET",
      encodePath("\u1234"),
      [],
      {},
      "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    ],
    [
      "get-space",
      "GET",
      encodePath("example space", ""),
      [],
      {},
      "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
    ],
    [
      "get-vanilla-utf8-query",
      "GET",
      "/",
      [["\u1234", "bar"]],
      {},
      "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    ],
  ];
  for (const [name, method, path, query, headers, want] of cases) {
    assert.equal(await suiteSignature(method, path, query, headers), want, name);
  }
});

test("post-x-www-form-urlencoded signs the body's hash", async () => {
  const got = await suiteSignature(
    "POST",
    "/",
    [],
    { "Content-Type": "application/x-www-form-urlencoded" },
    await sha256Hex("Param1=value1"),
  );
  assert.equal(got, "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
});

test("the whole Authorization header of get-vanilla", async () => {
  const signed = await signRequest({
    ...SUITE,
    method: "GET",
    path: "/",
    headers: { Host: "example.amazonaws.com" },
    payloadHash: EMPTY_SHA256,
  });
  assert.equal(signed["X-Amz-Date"], "20150830T123600Z");
  assert.equal(
    signed.Authorization,
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
      "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  );
  assert.equal(signed["x-amz-content-sha256"], undefined, "only S3 sends x-amz-content-sha256");
});

// Amazon S3 API reference, "Signature Calculations for the Authorization
// Header" and "Query Parameters" examples.
const S3_DOCS = {
  accessKey: "AKIAIOSFODNN7EXAMPLE",
  secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  region: "us-east-1",
  date: new Date(Date.UTC(2013, 4, 24)),
};

test("S3 GET Object example (header, signed payload hash, Range)", async () => {
  const signed = await signRequest({
    ...S3_DOCS,
    method: "GET",
    path: "/test.txt",
    headers: { Host: "examplebucket.s3.amazonaws.com", Range: "bytes=0-9" },
    payloadHash: EMPTY_SHA256,
  });
  assert.equal(signed["x-amz-content-sha256"], EMPTY_SHA256);
  assert.equal(
    signed.Authorization,
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
  );
});

test("S3 presigned URL example", async () => {
  const q = await presignQuery({
    ...S3_DOCS,
    method: "GET",
    host: "examplebucket.s3.amazonaws.com",
    path: "/test.txt",
    expires: 86400,
  });
  assert.equal(
    q,
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F" +
      "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&" +
      "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
  );
});

test("encoding: unreserved kept, everything else as upper-case UTF-8 escapes", () => {
  assert.equal(uriEncode("AZaz09-_.~"), "AZaz09-_.~");
  assert.equal(uriEncode("a b+c/d=e&f"), "a%20b%2Bc%2Fd%3De%26f");
  assert.equal(uriEncode("a/b", true), "a/b");
  assert.equal(uriEncode("é€"), "%C3%A9%E2%82%AC");
  assert.equal(encodePath("bucket", "dir/<x> y?#%.txt"), "/bucket/dir/%3Cx%3E%20y%3F%23%25.txt");
  assert.equal(
    canonicalQuery([
      ["prefix", "a b"],
      ["list-type", "2"],
      ["delimiter", "/"],
    ]),
    "delimiter=%2F&list-type=2&prefix=a%20b",
  );
  assert.equal(amzDate(new Date(Date.UTC(2026, 11, 3, 9, 5, 7, 123))), "20261203T090507Z");
});

test("the base64 SHA-256 of x-amz-checksum-sha256", async () => {
  assert.equal(await sha256Base64(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  assert.equal(await sha256Base64("abc"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
});
