# Sourced by the e2e scripts: a fresh server in a home of its own, and the check helpers.
# After sourcing: $root (the repository), $work (the current folder, removed on exit), bin/ linked
# there, the server running with its data in $OPENIRSA_DATA.
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
work=$(mktemp -d)
export OPENIRSA_DATA="$work/data"
# A home of its own, so the AWS CLI's credential cache (~/.aws/cli/cache) holds nothing from another
# server; Maven keeps using the real one should bin/irsa need to build.
export MAVEN_USER_HOME="${MAVEN_USER_HOME:-$HOME/.m2}" MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$HOME/.m2/repository"
export HOME="$work" AWS_CONFIG_FILE="$work/aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials"
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
ln -s "$root/bin" "$work/bin"
cd "$work"

bin/irsa serve --listen 127.0.0.1:0 > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  [ -f "$OPENIRSA_DATA/server.json" ] && curl -fs "$(sed -n 's/.*"endpoint" *: *"\([^"]*\)".*/\1/p' "$OPENIRSA_DATA/server.json")/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done

source "$root/e2e/checks.sh"
