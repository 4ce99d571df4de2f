#!/bin/sh
# build-and-push.sh: builds an image, pushes it to Amazon ECR under immutable tags, gates it on its scan results and
# only then points environment tags at its digest. ImageBuildProject ships this very file as an S3 asset that the
# buildspec fetches and checks against its SHA-256; test/image-build/rehearsal.test.ts runs it unchanged against a
# local registry, podman and moto.
# POSIX sh (dash), no bashisms. Never add `set -x`: it would print secret values and the registry password.
#
# Usage: build-and-push.sh build     build, push IMAGE_TAGS, gate, apply ENVIRONMENT_TAGS; a commit whose first
#                                    IMAGE_TAGS tag exists already is not rebuilt: the other tags go to that image
#        build-and-push.sh promote   gate PROMOTE_DIGEST again and point ENVIRONMENT_TAGS at it, without a rebuild
#
# Environment (* = required):
#   AWS_REGION*             region of the registry
#   ECR_REGISTRY*           registry host, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com (HTTPS)
#   IMAGE_REPOSITORY_NAME*  repository, e.g. team/app; the image is $ECR_REGISTRY/$IMAGE_REPOSITORY_NAME
#   IMAGE_TAGS*(build)      space-separated immutable tags, e.g. "sha-1a2b3c4 1.2.3"; the first names the commit's
#                           image (and, with several platforms, per-platform images <first tag>-<arch>)
#   ALLOW_LATEST            "true" lets IMAGE_TAGS or ENVIRONMENT_TAGS contain `latest`; refused otherwise
#   ENVIRONMENT_TAGS        space-separated moving tags, e.g. "dev"; applied only when the scan gate passes; may be empty
#                           for build, required for promote
#   PROMOTE_DIGEST*(promote) digest to promote, sha256:<64 hex>
#   PLATFORMS               comma-separated; default linux/amd64. Several platforms: one build per platform, pushed as
#                           <first tag>-<arch>, joined per immutable tag by `docker manifest create/push`
#   DOCKERFILE              path from the working directory; default $BUILD_CONTEXT/Dockerfile
#   BUILD_CONTEXT           default .
#   BUILD_TARGET            stage to build (--target); default: the last stage
#   BUILD_ARGS              newline-separated NAME=value lines, each passed as --build-arg
#   BUILD_SECRETS           space-separated secret ids; the value of each is in the environment variable of the same
#                           name (CodeBuild injects it from Secrets Manager or SSM); passed as --secret id=NAME,src=FILE
#   PULL_REGISTRIES         space-separated HOST@REGION of other ECR registries the build pulls from (base images in
#                           another account or region, pull-through caches, the BuildKit image); each is logged in to
#                           with a password of its region
#   CACHE_MODE              none (default) | local (CodeBuild's local Docker layer cache: nothing to do here) |
#                           registry (buildx --cache-from/--cache-to CACHE_REF, per platform CACHE_REF-<arch> with
#                           several platforms; skipped with a notice under podman)
#   CACHE_REF               cache image for CACHE_MODE=registry, e.g. $ECR_REGISTRY/team/app:buildcache
#   BUILDKIT_IMAGE          BuildKit image of the registry-cache builder; default moby/buildkit:buildx-stable-1, which
#                           Docker pulls anonymously from Docker Hub
#   SCAN_GATE               none (default) | basic | enhanced: wait for the ECR scan of every image (each platform's
#                           image of an index) and block at SCAN_GATE_THRESHOLD; enhanced also waits for Amazon
#                           Inspector's coverage record to say the image's first scan has ended
#   SCAN_GATE_THRESHOLD     lowest blocking severity; default CRITICAL
#   SCAN_GATE_JS*(gate)     path of scan-gate.js
#   SCAN_GATE_PASS_UNSUPPORTED "true" passes an image Amazon Inspector cannot scan (UNSUPPORTED_OS, UNSUPPORTED_MEDIA_TYPE)
#                           unscanned; refused otherwise
#   SCAN_TIMEOUT_SECONDS    how long to wait for the scans of all images together; default 1800. SCAN_POLL_SECONDS: poll
#                           interval, default 10
#   DIGEST_PARAMETER_PREFIX when set, SSM parameter PREFIX/<environment tag> is set to the image URI for each tag applied
#   BUILD_OUTPUT_FILE       where IMAGE_DIGEST, IMAGE_URI, IMAGE_TAGS and ENVIRONMENT_TAGS are written as sourceable
#                           NAME='value' lines (for CodeBuild exported variables); default image-build.env
set -eu
# No pathname expansion: tag, platform and secret lists are split on purpose, and must never match files.
set -f

COMMAND=${1:-}
ACCEPT_MANIFESTS='application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'
# Docker refuses longer tags (ECR itself takes 300 characters); ImageBuildProject checks the same limit at synth.
MAX_TAG_LENGTH=128
DEFAULT_BUILDKIT_IMAGE=moby/buildkit:buildx-stable-1

log() { echo "build-and-push: $*"; }
die() { echo "build-and-push: $*" >&2; exit 1; }

# Temporary files (secrets, registry credentials, manifests) live in one private directory removed on any exit.
umask 077
WORK_DIR=$(mktemp -d)
trap 'rm -rf "$WORK_DIR"' EXIT
trap 'exit 130' INT TERM HUP

# normalize_list VAR: a space-separated list with single spaces, so its first word is ${VAR%% *}.
normalize_list() {
  list_name=$1
  eval "set -- \${$list_name:-}"
  eval "$list_name=\$*"
}

require() {
  eval "require_value=\${$1:-}"
  [ -n "$require_value" ] || die "$1 is required"
}

# A tag per the registry grammar; `latest` only when asked for, because a moving `latest` hides what runs where.
check_tags() {
  for check_tag in $2; do
    case $check_tag in
      [!A-Za-z0-9_]* | *[!A-Za-z0-9_.-]*) die "$1: '$check_tag' is not a valid tag (letters, digits, _ . -; not starting with . or -)" ;;
    esac
    [ "${#check_tag}" -le "$MAX_TAG_LENGTH" ] || die "$1: '$check_tag' is longer than $MAX_TAG_LENGTH characters"
    if [ "$check_tag" = latest ] && [ "${ALLOW_LATEST:-false}" != true ]; then
      die "$1 must not contain 'latest' (a moving tag that hides which image runs); set ALLOW_LATEST=true to allow it"
    fi
  done
}

validate() {
  case $COMMAND in
    build | promote) ;;
    *) die "usage: build-and-push.sh build|promote (got '$COMMAND')" ;;
  esac
  normalize_list IMAGE_TAGS
  normalize_list ENVIRONMENT_TAGS
  normalize_list BUILD_SECRETS
  normalize_list PULL_REGISTRIES
  require AWS_REGION
  require ECR_REGISTRY
  require IMAGE_REPOSITORY_NAME
  if [ "$COMMAND" = build ]; then
    require IMAGE_TAGS
  else
    require PROMOTE_DIGEST
    require ENVIRONMENT_TAGS
    case $PROMOTE_DIGEST in
      sha256:*) digest_hex=${PROMOTE_DIGEST#sha256:} ;;
      *) digest_hex= ;;
    esac
    case $digest_hex in
      *[!0-9a-f]*) digest_hex= ;;
    esac
    [ "${#digest_hex}" -eq 64 ] || die "PROMOTE_DIGEST must be sha256:<64 lower-case hex digits>, got '$PROMOTE_DIGEST'"
  fi
  check_tags IMAGE_TAGS "${IMAGE_TAGS:-}"
  check_tags ENVIRONMENT_TAGS "${ENVIRONMENT_TAGS:-}"
  for env_tag in ${ENVIRONMENT_TAGS:-}; do
    for image_tag in ${IMAGE_TAGS:-}; do
      [ "$env_tag" != "$image_tag" ] || die "'$env_tag' is in both IMAGE_TAGS (immutable) and ENVIRONMENT_TAGS (moving)"
    done
  done
  for pull_registry in ${PULL_REGISTRIES:-}; do
    case $pull_registry in
      ?*@?*) ;;
      *) die "PULL_REGISTRIES: '$pull_registry' is not HOST@REGION (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com@us-east-1)" ;;
    esac
  done
  case ${CACHE_MODE:=none} in
    none | local) ;;
    registry) require CACHE_REF ;;
    *) die "CACHE_MODE must be none, local or registry, got '$CACHE_MODE'" ;;
  esac
  case ${SCAN_GATE:=none} in
    none) ;;
    basic | enhanced)
      require SCAN_GATE_JS
      [ -r "$SCAN_GATE_JS" ] || die "SCAN_GATE_JS: cannot read '$SCAN_GATE_JS'" ;;
    *) die "SCAN_GATE must be none, basic or enhanced, got '$SCAN_GATE'" ;;
  esac
}

is_podman() { docker --version 2>/dev/null | grep -qi podman; }

# registry_password REGION: an ECR password, valid for every registry of that region the role may use.
registry_password() {
  password=$(aws ecr get-login-password --region "$1") ||
    die "could not get a registry password (aws ecr get-login-password --region $1): check credentials and ecr:GetAuthorizationToken"
  [ -n "$password" ] || die "aws ecr get-login-password --region $1 returned an empty password"
  printf '%s' "$password"
}

# docker_login HOST REGION PASSWORD
docker_login() {
  if ! printf '%s' "$3" | docker login --username AWS --password-stdin "$1"; then
    die "docker login to $1 failed (user AWS, password from aws ecr get-login-password --region $2): check the registry host and its region"
  fi
}

# The target registry, then every other registry the build pulls from. One password serves docker (login) and curl
# (registry HTTP API); curl reads it from a private config file, not argv.
login() {
  target_password=$(registry_password "$AWS_REGION")
  docker_login "$ECR_REGISTRY" "$AWS_REGION" "$target_password"
  printf 'user = "AWS:%s"\n' "$target_password" > "$WORK_DIR/curl-auth"
  for pull_registry in ${PULL_REGISTRIES:-}; do
    pull_host=${pull_registry%@*}
    pull_region=${pull_registry##*@}
    [ "$pull_host" != "$ECR_REGISTRY" ] || continue
    pull_password=$(registry_password "$pull_region")
    docker_login "$pull_host" "$pull_region" "$pull_password"
  done
}

manifest_url() { echo "https://$ECR_REGISTRY/v2/$IMAGE_REPOSITORY_NAME/manifests/$1"; }

# header_value NAME FILE: the last value of a response header (case-insensitive) from a `curl -D` dump.
header_value() {
  awk -v name="$1" '{ sub(/\r$/, ""); i = index($0, ":")
    if (i > 0 && tolower(substr($0, 1, i - 1)) == tolower(name)) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); value = v } }
    END { print value }' "$2"
}

# resolve_digest REF: the digest a tag (or digest) points at, from a HEAD request; empty when it does not exist.
resolve_digest() {
  head_status=$(curl -sS -I -o /dev/null -D "$WORK_DIR/head" -w '%{http_code}' -K "$WORK_DIR/curl-auth" \
    -H "Accept: $ACCEPT_MANIFESTS" "$(manifest_url "$1")") || die "cannot reach the registry API at $(manifest_url "$1")"
  case $head_status in
    200) header_value docker-content-digest "$WORK_DIR/head" ;;
    404) ;;
    *) die "HEAD $(manifest_url "$1") answered HTTP $head_status" ;;
  esac
}

# fetch_manifest DIGEST FILE: the manifest of DIGEST, byte-exact, checked against its digest; its media type is
# left in $WORK_DIR/get-headers.
fetch_manifest() {
  get_status=$(curl -sS -o "$2" -D "$WORK_DIR/get-headers" -w '%{http_code}' -K "$WORK_DIR/curl-auth" \
    -H "Accept: $ACCEPT_MANIFESTS" "$(manifest_url "$1")") || die "cannot reach the registry API to read $1"
  [ "$get_status" = 200 ] || die "GET manifest $1 answered HTTP $get_status"
  # The digest is the sha256 of the manifest bytes: if they hash differently, they are not that image.
  body_digest="sha256:$(sha256sum < "$2" | cut -d ' ' -f 1)"
  [ "$body_digest" = "$1" ] || die "the manifest read for $1 hashes to $body_digest; refusing to use it"
}

# apply_tag DIGEST TAG: points TAG at DIGEST without a rebuild or a pull: GET the manifest byte-exact, PUT it under the
# tag with its own media type (ECR authorizes these as ecr:BatchGetImage and ecr:PutImage).
apply_tag() {
  manifest="$WORK_DIR/manifest"
  fetch_manifest "$1" "$manifest"
  media_type=$(header_value content-type "$WORK_DIR/get-headers")
  put_status=$(curl -sS -X PUT -o "$WORK_DIR/put-body" -D "$WORK_DIR/put-headers" -w '%{http_code}' \
    -K "$WORK_DIR/curl-auth" -H "Content-Type: $media_type" --data-binary "@$manifest" "$(manifest_url "$2")") ||
    die "cannot reach the registry API to tag $2"
  case $put_status in
    2??) ;;
    *) die "PUT manifest for tag $2 answered HTTP $put_status: $(tr -d '\n' < "$WORK_DIR/put-body" | cut -c 1-300)" ;;
  esac
  put_digest=$(header_value docker-content-digest "$WORK_DIR/put-headers")
  [ "$put_digest" = "$1" ] || die "tag $2 now points at '$put_digest', not $1"
  log "tagged $IMAGE_URI_BASE:$2 -> $1"
}

# Secrets go to private files passed with --secret, never on a command line or in the log.
prepare_secrets() {
  SECRET_FLAGS_FILE="$WORK_DIR/secret-ids"
  : > "$SECRET_FLAGS_FILE"
  for secret_id in ${BUILD_SECRETS:-}; do
    case $secret_id in
      [!A-Za-z_]* | *[!A-Za-z0-9_]*) die "BUILD_SECRETS: '$secret_id' is not a valid environment variable name" ;;
    esac
    secret_set=
    eval "secret_set=\${$secret_id+set}"
    [ "$secret_set" = set ] || die "BUILD_SECRETS names $secret_id, but the environment variable $secret_id is not set"
    mkdir -p "$WORK_DIR/secrets"
    eval "printf '%s' \"\$$secret_id\"" > "$WORK_DIR/secrets/$secret_id"
    chmod 600 "$WORK_DIR/secrets/$secret_id"
    echo "$secret_id" >> "$SECRET_FLAGS_FILE"
  done
}

# docker_build PLATFORM CACHE_REF TAG...: one build for one platform, tagged with every TAG.
docker_build() {
  build_platform=$1 build_cache_ref=$2
  shift 2
  build_tags=$*
  set -- --platform "$build_platform" -f "$DOCKERFILE"
  for build_tag in $build_tags; do set -- "$@" -t "$IMAGE_URI_BASE:$build_tag"; done
  if [ -n "${BUILD_TARGET:-}" ]; then set -- "$@" --target "$BUILD_TARGET"; fi
  saved_ifs=$IFS
  IFS='
'
  for build_arg in ${BUILD_ARGS:-}; do
    case $build_arg in
      [A-Za-z_]*=*) set -- "$@" --build-arg "$build_arg" ;;
      *) die "BUILD_ARGS: every line must be NAME=value, got a line starting '$(printf '%s' "$build_arg" | cut -c 1-20)'" ;;
    esac
  done
  IFS=$saved_ifs
  # An explicit type=file: without it podman 4.3 mounts an empty secret when an environment variable is named like
  # the id, which is exactly how CodeBuild hands secrets over.
  while read -r secret_id; do
    set -- "$@" --secret "id=$secret_id,type=file,src=$WORK_DIR/secrets/$secret_id"
  done < "$SECRET_FLAGS_FILE"
  log "building $BUILD_CONTEXT for $build_platform as $build_tags"
  if [ "$CACHE_MODE" = registry ] && is_podman; then
    log "CACHE_MODE=registry: the docker client is podman, which has no buildx registry cache; building without $build_cache_ref"
    docker build "$@" "$BUILD_CONTEXT"
  elif [ "$CACHE_MODE" = registry ]; then
    # The default `docker` buildx driver cannot export a cache; a docker-container builder can, and --load brings the
    # image back into the engine for the plain `docker push` below.
    docker buildx inspect ecr-platform-cache > /dev/null 2>&1 ||
      docker buildx create --name ecr-platform-cache --driver docker-container \
        --driver-opt "image=${BUILDKIT_IMAGE:-$DEFAULT_BUILDKIT_IMAGE}" > /dev/null
    docker buildx build --builder ecr-platform-cache --load --provenance=false \
      --cache-from "type=registry,ref=$build_cache_ref" \
      --cache-to "type=registry,ref=$build_cache_ref,mode=max,image-manifest=true,oci-mediatypes=true" \
      "$@" "$BUILD_CONTEXT"
  else
    docker build "$@" "$BUILD_CONTEXT"
  fi
}

# A tag that already names another image cannot be pushed again: ECR refuses to move an immutable tag.
refuse_taken_tag() {
  die "$IMAGE_URI_BASE:$1 already points at $2, not at $3; an immutable tag never moves: release under a new version"
}

# Pushes IMAGE_TAGS and sets PUSHED_DIGEST, the digest they all point at.
build_and_push() {
  first_tag=${IMAGE_TAGS%% *}
  existing=$(resolve_digest "$first_tag")
  if [ -n "$existing" ]; then
    # A release tag pushed on a commit already built, or a retried build: the commit tag is immutable, so rebuilding
    # could only fail on it (or, byte-identical, change nothing). The commit's image gets the other tags instead.
    log "$IMAGE_URI_BASE:$first_tag exists ($existing): not rebuilding this commit; tagging that image"
    for tag in $IMAGE_TAGS; do
      tag_digest=$(resolve_digest "$tag")
      if [ -z "$tag_digest" ]; then
        apply_tag "$existing" "$tag"
      elif [ "$tag_digest" != "$existing" ]; then
        refuse_taken_tag "$tag" "$tag_digest" "$existing (the image of $first_tag)"
      fi
    done
    PUSHED_DIGEST=$existing
    return 0
  fi
  # Checked before building: a taken version tag would otherwise fail the push after a whole build.
  for tag in $IMAGE_TAGS; do
    tag_digest=$(resolve_digest "$tag")
    [ -z "$tag_digest" ] || refuse_taken_tag "$tag" "$tag_digest" "the image this build makes"
  done
  case $PLATFORMS in
    *,*)
      arch_refs=
      saved_ifs=$IFS
      IFS=,
      for platform in $PLATFORMS; do
        IFS=$saved_ifs
        case $platform in
          */*) ;;
          *) die "PLATFORMS: '$platform' is not os/arch (e.g. linux/arm64)" ;;
        esac
        arch=$(echo "${platform#*/}" | tr / -)
        arch_ref="$IMAGE_URI_BASE:$first_tag-$arch"
        # A platform pushed by an earlier, interrupted attempt is reused: its tag is immutable too.
        arch_digest=$(resolve_digest "$first_tag-$arch")
        if [ -n "$arch_digest" ]; then
          log "$arch_ref exists ($arch_digest): not rebuilding $platform"
        else
          docker_build "$platform" "$CACHE_REF_VALUE-$arch" "$first_tag-$arch"
          docker push "$arch_ref"
        fi
        arch_refs="$arch_refs $arch_ref"
      done
      IFS=$saved_ifs
      for tag in $IMAGE_TAGS; do
        # Start from a fresh local list, so a re-run does not amend an old one.
        docker manifest rm "$IMAGE_URI_BASE:$tag" > /dev/null 2>&1 || true
        if is_podman; then
          # podman reads each listed image from the registry with docker://, as Docker's manifest command does; it
          # needs an explicit destination, and --all copies any instance the registry lacks.
          # shellcheck disable=SC2086 # arch_refs is a space-separated list of references
          docker manifest create "$IMAGE_URI_BASE:$tag" $(for ref in $arch_refs; do printf 'docker://%s ' "$ref"; done)
          docker manifest push --all "$IMAGE_URI_BASE:$tag" "docker://$IMAGE_URI_BASE:$tag"
        else
          # shellcheck disable=SC2086 # arch_refs is a space-separated list of references
          docker manifest create "$IMAGE_URI_BASE:$tag" $arch_refs
          docker manifest push "$IMAGE_URI_BASE:$tag"
        fi
      done
      ;;
    *)
      # shellcheck disable=SC2086 # IMAGE_TAGS is a space-separated list
      docker_build "$PLATFORMS" "$CACHE_REF_VALUE" $IMAGE_TAGS
      for tag in $IMAGE_TAGS; do docker push "$IMAGE_URI_BASE:$tag"; done
      ;;
  esac
  PUSHED_DIGEST=$(resolve_digest "$first_tag")
  [ -n "$PUSHED_DIGEST" ] || die "$IMAGE_URI_BASE:$first_tag is not in the registry after the push"
  # Immutable tags name one image: a tag resolving elsewhere means the push went wrong, so stop before the gate.
  for tag in $IMAGE_TAGS; do
    tag_digest=$(resolve_digest "$tag")
    [ "$tag_digest" = "$PUSHED_DIGEST" ] || die "$IMAGE_URI_BASE:$tag points at '$tag_digest', not $PUSHED_DIGEST"
  done
}

# scan_gate DIGEST: returns only when the image may receive environment tags. ECR never scans an image index (a
# multi-architecture image), only the images it lists, so each of those is gated and all of them must pass.
# scan-gate.js waits for every scan within one deadline, SCAN_TIMEOUT_SECONDS: under enhanced scanning for Amazon
# Inspector's record that the image's first scan has ended, since ECR's status alone can read done before the findings
# exist. Its progress and verdicts go straight to the log.
scan_gate() {
  if [ "$SCAN_GATE" = none ]; then
    log "scan gate: off (SCAN_GATE=none)"
    return 0
  fi
  fetch_manifest "$1" "$WORK_DIR/gated-manifest"
  node "$SCAN_GATE_JS" images "$1" < "$WORK_DIR/gated-manifest" > "$WORK_DIR/gated-images" 2> "$WORK_DIR/images-error" ||
    die "cannot tell which images of $1 to gate: $(cat "$WORK_DIR/images-error")"
  gate_status=0
  node "$SCAN_GATE_JS" wait < "$WORK_DIR/gated-images" 2> "$WORK_DIR/gate-error" || gate_status=$?
  case $gate_status in
    0) ;;
    1) die "scan gate blocked $1 ($(cat "$WORK_DIR/gate-error")): no environment tag applied" ;;
    *) die "$(cat "$WORK_DIR/gate-error")" ;;
  esac
}

apply_environment_tags() {
  for env_tag in ${ENVIRONMENT_TAGS:-}; do
    apply_tag "$1" "$env_tag"
    if [ -n "${DIGEST_PARAMETER_PREFIX:-}" ]; then
      aws ssm put-parameter --region "$AWS_REGION" --name "${DIGEST_PARAMETER_PREFIX%/}/$env_tag" --value "$2" \
        --type String --overwrite > /dev/null || die "could not write SSM parameter ${DIGEST_PARAMETER_PREFIX%/}/$env_tag"
      log "SSM parameter ${DIGEST_PARAMETER_PREFIX%/}/$env_tag = $2"
    fi
  done
}

# NAME='value' lines a shell can source; tags and digests never contain a quote (validated above).
write_outputs() {
  output_file=${BUILD_OUTPUT_FILE:-image-build.env}
  {
    echo "IMAGE_DIGEST='$1'"
    echo "IMAGE_URI='$2'"
    echo "IMAGE_TAGS='$3'"
    echo "ENVIRONMENT_TAGS='${ENVIRONMENT_TAGS:-}'"
  } > "$output_file"
  chmod 644 "$output_file"
  log "outputs written to $output_file"
}

main() {
  validate
  PLATFORMS=$(printf '%s' "${PLATFORMS:-linux/amd64}" | tr -d ' \t\n')
  BUILD_CONTEXT=${BUILD_CONTEXT:-.}
  DOCKERFILE=${DOCKERFILE:-$BUILD_CONTEXT/Dockerfile}
  CACHE_REF_VALUE=${CACHE_REF:-}
  IMAGE_URI_BASE="$ECR_REGISTRY/$IMAGE_REPOSITORY_NAME"
  # BuildKit for --secret and --target on older Docker engines; plain progress reads well in CodeBuild logs.
  export DOCKER_BUILDKIT=1 BUILDKIT_PROGRESS=plain

  login
  if [ "$COMMAND" = build ]; then
    [ -r "$DOCKERFILE" ] || die "DOCKERFILE: cannot read '$DOCKERFILE'"
    prepare_secrets
    build_and_push
    digest=$PUSHED_DIGEST
    immutable_tags=$IMAGE_TAGS
    log "pushed $IMAGE_URI_BASE@$digest as $IMAGE_TAGS"
  else
    digest=$PROMOTE_DIGEST
    promoted=$(resolve_digest "$digest")
    [ -n "$promoted" ] || die "PROMOTE_DIGEST $digest is not in $IMAGE_URI_BASE"
    immutable_tags=
    log "promoting $IMAGE_URI_BASE@$digest to $ENVIRONMENT_TAGS (no rebuild)"
  fi
  scan_gate "$digest"
  apply_environment_tags "$digest" "$IMAGE_URI_BASE@$digest"
  write_outputs "$digest" "$IMAGE_URI_BASE@$digest" "$immutable_tags"
}

main
