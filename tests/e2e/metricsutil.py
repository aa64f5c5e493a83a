"""Helpers for tests that read the server's Prometheus metrics
(/_confiance/metrics, docs/monitoring.md) through the Prometheus project's
own parser (Debian's python3-prometheus-client)."""

import datetime
import os
import secrets

import requests
from prometheus_client.parser import text_string_to_metric_families


def write_token(directory, token=None, mode=0o600):
    path = os.path.join(directory, "metrics.token")
    with open(path, "w") as f:
        f.write((token or secrets.token_hex(32)) + "\n")
    os.chmod(path, mode)
    with open(path) as f:
        return path, f.read().strip()


def scrape(srv, token, verify=True):
    r = requests.get(srv.endpoint + "/_confiance/metrics",
                     headers={"Authorization": "Bearer " + token}, timeout=10,
                     verify=srv.tls_ca or verify)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return r.text


def samples(text):
    """{(name, frozenset(labels.items())): value} via the Prometheus parser."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def epoch_seconds(naive_utc):
    return (naive_utc - datetime.datetime(1970, 1, 1)).total_seconds()


def value(parsed, name, **labels):
    return parsed.get((name, frozenset(labels.items())), 0)
