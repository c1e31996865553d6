#!/bin/sh
# One-shot set-up of the media bucket in MinIO (deploy/compose.yaml, service minio-init). Idempotent.
set -eu

mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"

# The bucket; photos and thumbnails are public (the site links to them), uploads are not listable.
mc mb --ignore-existing "local/$MEDIA_BUCKET"
mc anonymous set download "local/$MEDIA_BUCKET"

# The application's own key, limited to this bucket (never the root user): MEDIA_ACCESS_KEY/MEDIA_SECRET_KEY.
cat > /tmp/bozor-media-policy.json <<POLICY
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
   "Resource": ["arn:aws:s3:::$MEDIA_BUCKET/*"]},
  {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
   "Resource": ["arn:aws:s3:::$MEDIA_BUCKET"]}
]}
POLICY
mc admin policy create local bozor-media /tmp/bozor-media-policy.json
mc admin user add local "$MEDIA_ACCESS_KEY" "$MEDIA_SECRET_KEY"
mc admin policy attach local bozor-media --user "$MEDIA_ACCESS_KEY" 2>/dev/null || true  # already attached

# CORS: browsers POST photos straight to the bucket (presigned POST) from the site's origin.
# MinIO's community server has no per-bucket CORS (PutBucketCors answers NotImplemented): its CORS
# rule is the server's api cors_allow_origin, set here to the site's origin only.
said=$(mc admin config set local api cors_allow_origin="$BASE_URL")
echo "$said"
case "$said" in
  *restart*) mc admin service restart local ;;
esac
echo "minio-init: bucket $MEDIA_BUCKET ready, CORS origin $BASE_URL"
