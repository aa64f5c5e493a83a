#!/usr/bin/python3
"""Creates a bucket on a local Confiance whose objects a plain PUT then
writes under SSE-KMS (for the bench scripts sse_kms_get.sh and
callgrind_get.sh). Usage: encrypt_bucket.py PORT BUCKET [KEY_ID]
  - KEY_ID empty or absent: no default encryption (SSE-S3);
  - "default": the root tenant's (default) tenant key;
  - "alias/NAME": the named key NAME, created first (the root is tenant
    default's root).
The bench's root credentials (BENCHAK / SECRET12345); only 127.0.0.1."""
import os
import subprocess
import sys

import boto3

port, bucket = sys.argv[1], sys.argv[2]
key_id = sys.argv[3] if len(sys.argv) > 3 else ""
endpoint = f"http://127.0.0.1:{port}"
if key_id.startswith("alias/"):
    env = dict(os.environ, CONFIANCE_ENDPOINT=endpoint, CONFIANCE_ACCESS_KEY="BENCHAK",
               CONFIANCE_SECRET_KEY="SECRET12345")
    binary = os.environ["CONFIANCE"]
    subprocess.run([binary, "admin", "kms-key", "create", "default", key_id[len("alias/"):]], env=env, check=True,
                   capture_output=True, timeout=60)
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="BENCHAK", aws_secret_access_key="SECRET12345",
                  region_name="us-east-1")
s3.create_bucket(Bucket=bucket)
if key_id:
    default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": default}]})
