"""The open-data bucket (S3): the daily export's files, its index, and short-lived links."""

from __future__ import annotations

from pathlib import Path

from botocore.exceptions import ClientError

from ..config import settings
from .s3_store import _s3


class S3OpenDataStore:
    def __init__(self, bucket: str | None = None):
        self._bucket = bucket

    @property
    def bucket(self) -> str:
        bucket = self._bucket or settings().open_data_bucket
        if not bucket:
            raise RuntimeError("OPEN_DATA_BUCKET is not configured")
        return bucket

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        # upload_file switches to a multipart upload for large files
        _s3().upload_file(str(path), self.bucket, key, ExtraArgs={"ContentType": content_type})

    def read(self, key: str) -> bytes | None:
        try:
            return _s3().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def write(self, key: str, body: bytes, content_type: str) -> None:
        _s3().put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def link(self, key: str, expires_in: int) -> str:
        return _s3().generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
        )
