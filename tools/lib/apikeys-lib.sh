# The gateway's dev API keys (docs/SECURITY.md), shared by tools/stack-up
# (compose mounts the key file's directory read-only into the gateway) and
# tools/k8s-deploy (a Secret made from the same file). Sourced after $ws,
# $cache and die are defined. The key file (hashes only) lives in its own
# directory; the dev tokens beside it in a directory only this user can
# read. A directory, not the file, is mounted: tools/apikey replaces the
# file by a rename, which a single-file bind mount would not show.
api_keys_dir="$cache/api-keys"
export FIND_PEERS_API_KEYS_DIR="$api_keys_dir/gateway"
dev_keys_file="$FIND_PEERS_API_KEYS_DIR/keys.json"
dev_write_token="$api_keys_dir/tokens/dev-write.token"
dev_read_token="$api_keys_dir/tokens/dev-read.token"

# ensure_dev_keys: on the first run, a key file with a write key and a
# read-only key ("dev write", "dev read"; tools/apikey), whose tokens are
# kept in $api_keys_dir/tokens (0700); later runs reuse them. The key file
# is world-readable (0644: it holds SHA-256 hashes only) so the gateway's
# non-root user reads it through the mount; tools/apikey keeps that mode.
ensure_dev_keys() {
  local file="$dev_keys_file"
  if [[ -s "$file" && -s "$dev_write_token" && -s "$dev_read_token" ]]; then
    echo "API keys: reusing $file"
    return 0
  fi
  (cd "$ws" && go build -o "$cache/bin/apikey" ./tools/apikey) || die "go build ./tools/apikey failed"
  mkdir -p "$FIND_PEERS_API_KEYS_DIR" "$api_keys_dir/tokens"
  chmod 0755 "$FIND_PEERS_API_KEYS_DIR"
  chmod 0700 "$api_keys_dir/tokens"
  rm -f "$file" "$dev_write_token" "$dev_read_token"
  (umask 077
   "$cache/bin/apikey" create --file "$file" --name "dev write" --scope write >"$dev_write_token"
   "$cache/bin/apikey" create --file "$file" --name "dev read" --scope read >"$dev_read_token") \
    || die "creating the dev API keys failed"
  chmod 0644 "$file"
  echo "API keys: created $file (write and read-only dev keys)"
}

