#!/usr/bin/env bash
# Lint everything the deployment is made of, offline: the Dockerfile (hadolint), the shell scripts
# (shellcheck), every YAML file (yamllint), and every kustomize overlay rendered by kubectl and
# validated object by object against Kubernetes 1.30 (kubernetes-validate --strict).
set -euo pipefail
# shellcheck source=_venv.sh
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
ensure_venv "$ROOT/requirements-dev.txt"
K8S_VERSION=1.30.0

echo "==> hadolint docker/Dockerfile"
hadolint --failure-threshold warning docker/Dockerfile
echo "==> shellcheck"
shellcheck -x -P SCRIPTDIR docker/entrypoint.sh scripts/*.sh .ci/run
echo "==> yamllint"
yamllint --strict docker kubernetes .yamllint.yaml
if ! command -v kubectl >/dev/null 2>&1; then
  echo "kubectl is needed to render the kustomize overlays (kubectl kustomize); install it and re-run." >&2
  exit 1
fi
rendered="$(mktemp -d)"
trap 'rm -rf "$rendered"' EXIT
for overlay in kubernetes/overlays/*/; do
  name="$(basename "$overlay")"
  echo "==> kubectl kustomize $overlay -> kubernetes-validate --strict (Kubernetes $K8S_VERSION)"
  kubectl kustomize "$overlay" > "$rendered/$name.yaml"
  kubernetes-validate --strict --quiet -k "$K8S_VERSION" "$rendered/$name.yaml"
  echo "    $(grep -c '^kind:' "$rendered/$name.yaml") objects valid"
done
echo "==> kubernetes-validate --strict kubernetes/base/secret.template.yaml"
kubernetes-validate --strict --quiet -k "$K8S_VERSION" kubernetes/base/secret.template.yaml
echo "deployment lint: clean"
