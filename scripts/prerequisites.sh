#!/usr/bin/env bash
# `npm run prerequisites`: what `npm test` and `npm run bench` need beyond `npm install`. Checks each tool, installs a
# missing one where it can (Debian's packages with apt-get, as root or through sudo; Python tools
# with pip, from whatever index pip is set up to use), and says how to get what it could not.
# Exits 1 while anything is still missing.
set -uo pipefail

# name | check | Debian package | pip requirement | what needs it
PREREQUISITES=(
  "java 17+|java_17|openjdk-17-jre-headless||DynamoDB Local (ENVELOPE_DYNAMODB_ENGINE=dynamodb-local, its tests)"
  "curl|have curl|curl||curl --aws-sigv4 against the local gateway"
  "script|have script|bsdutils||a terminal for the CLI's progress bar (util-linux's script)"
  "aws|have aws|awscli|awscli|the AWS CLI against the KMS emulator"
  "botocore|python3 -c 'import botocore'||botocore|botocore's SigV4 signer against the local gateway"
  "cfn-lint|have cfn-lint||cfn-lint|linting the synthesized templates"
  "moto_server|have moto_server||moto[server]|moto's server mode: S3 for the CLI's s3:// tests, CloudFormation for the deploy rehearsal, Logs and Secrets Manager for the audit sink"
  "age|have age|age||npm run bench: the file rows beside age"
  "openssl|have openssl|openssl||npm run bench: the file rows beside openssl enc"
  "chromium|have chromium|chromium||browser tests of the web console (Playwright drives Debian's Chromium)"
)

have() { command -v "$1" >/dev/null 2>&1; }
java_17() { have java && [[ "$(java -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p')" -ge 17 ]]; }
field() { cut -d'|' -f"$2" <<<"$1"; }
present() { eval "$(field "$1" 2)" >/dev/null 2>&1; }

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; elif have sudo; then sudo "$@"; else return 1; fi
}

# pip first: a Python tool from pip shares its interpreter's packages (the AWS CLI brings botocore).
install_with_pip() {
  for entry in "${PREREQUISITES[@]}"; do
    local requirement
    requirement=$(field "$entry" 4)
    present "$entry" || [[ -z $requirement ]] || python3 -m pip install --quiet --disable-pip-version-check "$requirement" >/dev/null 2>&1 || true
  done
}

install_with_apt() {
  local packages=()
  for entry in "${PREREQUISITES[@]}"; do
    present "$entry" || [[ -z $(field "$entry" 3) ]] || packages+=("$(field "$entry" 3)")
  done
  ((${#packages[@]} > 0)) && have apt-get || return 0
  echo "Installing with apt-get: ${packages[*]}"
  as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

how_to_get() {
  local hints=()
  [[ -n $(field "$1" 3) ]] && hints+=("apt-get install $(field "$1" 3)")
  [[ -n $(field "$1" 4) ]] && hints+=("python3 -m pip install '$(field "$1" 4)' (from PyPI)")
  local joined
  printf -v joined ' or %s' "${hints[@]}"
  echo "${joined# or }"
}

report() {
  local missing=0
  echo "Prerequisites of npm test and npm run bench:"
  for entry in "${PREREQUISITES[@]}"; do
    if present "$entry"; then
      printf '  ok       %-12s %s\n' "$(field "$entry" 1)" "$(field "$entry" 5)"
    else
      missing=1
      printf '  MISSING  %-12s %s; could not install it here: %s\n' "$(field "$entry" 1)" "$(field "$entry" 5)" "$(how_to_get "$entry")"
    fi
  done
  node_note
  return $missing
}

# The machine's Node, which runs npm (npm_node_execpath under `npm run`, where `node` is the project's
# own Node 24, the `node` devDependency that every npm script runs on).
node_note() {
  local node=${npm_node_execpath:-node}
  have "$node" && ! "$node" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)' &&
    echo "  note     node $("$node" --version): npm install warns EBADENGINE below Node.js 22.12 (package.json engines); npm scripts still run on the project's Node 24"
  return 0
}

install_with_pip
install_with_apt || echo "apt-get could not install the Debian packages (not root, and no sudo?)" >&2
report
