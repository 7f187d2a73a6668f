"""``provision scaffold DIR``: the build and release specs a stack's pipeline runs."""

from __future__ import annotations

from pathlib import Path

from provision.errors import ProvisionError

__all__ = ["BUILD_YML", "RELEASE_YML", "scaffold"]

BUILD_YML = """\
# Build: the image from the repository's Dockerfile, pushed to the stack's ECR repository.
version: 0.2
phases:
  pre_build:
    commands:
      - aws ecr get-login-password | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"
      - TAG="$(echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" | cut -c1-12)"
  build:
    commands:
      - docker build -t "$REPOSITORY_URI:$TAG" .
  post_build:
    commands:
      - docker push "$REPOSITORY_URI:$TAG"
      - printf '{"tag":"%s"}' "$TAG" > image.json
artifacts:
  files:
    - image.json
"""

RELEASE_YML = """\
# Release: retag the built image as latest, then roll the ECS service (or point the Lambda function at it).
version: 0.2
phases:
  build:
    commands:
      - TAG="$(python3 -c 'import json; print(json.load(open("image.json"))["tag"])')"
      - MANIFEST="$(aws ecr batch-get-image --repository-name "$STACK" --image-ids imageTag="$TAG" --query 'images[0].imageManifest' --output text)"
      - aws ecr put-image --repository-name "$STACK" --image-tag latest --image-manifest "$MANIFEST" || true
      - |
        if aws ecs describe-services --cluster "$STACK" --services "$STACK" --query 'services[0].status' --output text 2>/dev/null | grep -q ACTIVE; then
          aws ecs update-service --cluster "$STACK" --service "$STACK" --force-new-deployment
        else
          aws lambda update-function-code --function-name "$STACK" --image-uri "$REPOSITORY_URI:$TAG"
        fi
"""


def scaffold(directory: str | Path) -> list[Path]:
    """Write build.yml and release.yml into ``directory`` (created if missing; existing files are kept).

    Raises ``ProvisionError`` naming the path when ``directory`` is a file or cannot be written.
    """
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise ProvisionError(f"dir={str(out)!r}: is a file; give a folder for build.yml and release.yml")
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in (("build.yml", BUILD_YML), ("release.yml", RELEASE_YML)):
            path = out / name
            if path.exists():
                continue
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        where = exc.filename or out
        raise ProvisionError(f"dir={str(out)!r}: cannot write {str(where)!r} ({exc.strerror or exc})") from None
    return written
