"""Media test fixtures: moto's S3-compatible server (real HTTP) and settings pointing the media storage at it."""

from __future__ import annotations

import socket

import boto3
import pytest

BUCKET = "bozor-media-test"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, **KEYS).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3(settings, s3_server):
    """The media storage is S3 (django-storages) on the moto server, as with MEDIA_BUCKET set."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "region_name": KEYS["region_name"],
                "file_overwrite": False,
                "querystring_auth": False,
            },
        },
    }
    # What settings.py allows for MEDIA_ENDPOINT: thumbnails from, and the browser's upload to, the bucket.
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "img-src": [*settings.SECURE_CSP["img-src"], s3_server],
        "connect-src": [*settings.SECURE_CSP["connect-src"], s3_server],
    }
    client = boto3.client("s3", endpoint_url=s3_server, **KEYS)
    for key in objects(client):  # each test starts with an empty bucket
        client.delete_object(Bucket=BUCKET, Key=key)
    return client


def objects(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
