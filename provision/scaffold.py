"""``provision scaffold DIR``: the build and release specs a stack's pipeline runs."""

from __future__ import annotations

from pathlib import Path

from provision.errors import ProvisionError

__all__ = ["BUILD_YML", "RELEASE_YML", "scaffold"]

BUILD_YML = """\
# Build: the image from the repository's Dockerfile, pushed to the stack's ECR repository under a tag of
# its own (the commit and the build number): the repository's tags are immutable, so no tag is reused.
version: 0.2
phases:
  pre_build:
    commands:
      - aws ecr get-login-password | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"
      - TAG="$(echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" | cut -c1-12)-$CODEBUILD_BUILD_NUMBER"
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
# Release: run the image the build pushed, by its own tag (tags are immutable; nothing is retagged).
# ECS: a new revision of the task definition naming that image, then the service rolls to it.
# Lambda: the function's code points at that image.
version: 0.2
phases:
  build:
    commands:
      - IMAGE="$REPOSITORY_URI:$(python3 -c 'import json; print(json.load(open("image.json"))["tag"])')"
      - |
        if aws ecs describe-services --cluster "$STACK" --services "$STACK" --query 'services[0].status' --output text 2>/dev/null | grep -q ACTIVE; then
          aws ecs describe-task-definition --task-definition "$STACK" --include TAGS --output json > current.json
          python3 - "$IMAGE" <<'EOF'
        import json, sys
        got = json.load(open("current.json"))
        td = got["taskDefinition"]
        td["containerDefinitions"][0]["image"] = sys.argv[1]
        keep = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions",
                "requiresCompatibilities", "cpu", "memory", "volumes", "placementConstraints", "runtimePlatform")
        new = {k: td[k] for k in keep if td.get(k)}
        if got.get("tags"):
            new["tags"] = got["tags"]
        json.dump(new, open("next.json", "w"))
        EOF
          ARN="$(aws ecs register-task-definition --cli-input-json file://next.json --query taskDefinition.taskDefinitionArn --output text)"
          aws ecs update-service --cluster "$STACK" --service "$STACK" --task-definition "$ARN"
        else
          aws lambda update-function-code --function-name "$STACK" --image-uri "$IMAGE"
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
