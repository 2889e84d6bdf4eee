"""The attachments bucket (S3): presigned forms and links, checks, copies, deletes."""

from __future__ import annotations

import functools
from urllib.parse import quote

from ..config import settings
from ..services.ports import ObjectTooLarge, StoredObject, UploadForm
from . import tracing
from .aws_clients import boto3_session


@functools.cache
def _s3():
    from botocore.config import Config

    tracing.init()
    # SigV4 for presigned POSTs and GETs (required in newer regions such as Jakarta).
    config = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"})
    return boto3_session().client("s3", region_name=settings().region, config=config)


def _ascii_fallback(filename: str) -> str:
    safe = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
    return safe or "attachment"


def content_disposition(filename: str, inline: bool) -> str:
    """RFC 6266 with an RFC 8187 UTF-8 name for browsers and an ASCII one for the rest."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename)}"


class S3ObjectStore:
    def __init__(self, bucket: str | None = None, client=None):
        self._bucket = bucket
        self._client = client

    @property
    def bucket(self) -> str:
        bucket = self._bucket or settings().attachments_bucket
        if not bucket:
            raise RuntimeError("ATTACHMENTS_BUCKET is not configured")
        return bucket

    @property
    def s3(self):
        return self._client or _s3()

    def presign_upload(self, key, content_type, max_bytes, expires_in, redirect=None):
        # The policy pins the exact key, the content type and the size range. S3 enforces
        # them; the validation after upload does not rely on it (the emulator does not).
        fields = {"Content-Type": content_type}
        conditions = [{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]]
        if redirect:  # the web portal's form without JavaScript comes back here (303)
            fields["success_action_redirect"] = redirect
            conditions.append({"success_action_redirect": redirect})
        post = self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=expires_in,
        )
        return UploadForm(post["url"], dict(post["fields"]))

    def presign_download(self, key, *, filename, content_type, inline, expires_in) -> str:
        return self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition(filename, inline),
                "ResponseCacheControl": "private, max-age=300",
            },
            ExpiresIn=expires_in,
        )

    def head(self, key, version_id=None) -> StoredObject | None:
        params = {"Bucket": self.bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        try:
            head = self.s3.head_object(**params)
        except self.s3.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("404", "NoSuchKey", "NoSuchVersion", "405", "400"):
                return None  # gone, or only a delete marker left
            raise
        return StoredObject(
            key, head.get("VersionId"), int(head["ContentLength"]), head["LastModified"]
        )

    def read(self, key, version_id, max_bytes) -> bytes:
        params = {"Bucket": self.bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        body = self.s3.get_object(**params)["Body"]
        try:
            data = body.read(max_bytes + 1)
        finally:
            body.close()
        if len(data) > max_bytes:
            raise ObjectTooLarge(key)
        return data

    def put(self, key, data, content_type) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def copy(self, source_key, source_version, key, content_type) -> None:
        source = {"Bucket": self.bucket, "Key": source_key}
        if source_version:
            source["VersionId"] = source_version
        self.s3.copy_object(
            Bucket=self.bucket,
            Key=key,
            CopySource=source,
            ContentType=content_type,
            MetadataDirective="REPLACE",
        )

    def delete_all_versions(self, key) -> int:
        doomed = []
        paginator = self.s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=key):
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
                if entry["Key"] == key:  # the prefix also matches longer keys
                    doomed.append({"Key": key, "VersionId": entry["VersionId"]})
        for start in range(0, len(doomed), 1000):
            result = self.s3.delete_objects(
                Bucket=self.bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True}
            )
            if result.get("Errors"):
                raise RuntimeError(
                    f"could not delete every version of an upload: {result['Errors']}"
                )
        return len(doomed)
