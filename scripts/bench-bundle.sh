#!/usr/bin/env bash
# Packs the benchmark (build/release/bench) with every shared library it loads, the dynamic
# loader included, into one folder, so that the whole matrix, peers and Go included, runs on
# another x86-64 Linux machine that has none of them installed (say, a many-core box):
#
#   scripts/bench-bundle.sh DIR        # after `make`
#   DIR/run.sh [gosync-bench options]  # on the other machine
set -euo pipefail
out=${1:?usage: scripts/bench-bundle.sh DIR}
bench=build/release/bench/gosync-bench
go=build/release/bench/gosync-bench-go
[ -x "$bench" ] || { echo "bench-bundle: build first (make)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/lib"
cp "$bench" "$out/"
[ -x "$go" ] && cp "$go" "$out/"
ldd "$bench" | awk '/=> \// {print $3} /^\s*\/lib/ {print $1}' | sort -u | while read -r so; do
  cp -L "$so" "$out/lib/"
done
loader=$(ldd "$bench" | awk '/ld-linux/ {print $1}')
cp -L "$loader" "$out/lib/ld.so"
cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the bundled benchmark with the bundled loader and libraries.
here=$(cd "$(dirname "$0")" && pwd)
go=()
[ -x "$here/gosync-bench-go" ] && go=(--go "$here/gosync-bench-go")
exec "$here/lib/ld.so" --library-path "$here/lib" "$here/gosync-bench" "${go[@]}" "$@"
RUN
chmod +x "$out/run.sh"
echo "bench-bundle: $(du -sh "$out" | cut -f1) in $out"
