# Sourced by the e2e scripts: the check helpers, and the counts they keep.
passed=0 failed=0
check() { # name, command...: the command must succeed
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
refused() { # expected error code, then the aws arguments: the call must fail with that code
  local code=$1; shift
  local out
  if out=$(aws "$@" 2>&1); then echo "unexpectedly succeeded: $out"; return 1; fi
  grep -q "($code)" <<<"$out" || { echo "$out"; return 1; }
}
