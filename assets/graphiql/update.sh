#!/usr/bin/env bash
# Replaces the pinned GraphiQL and React builds in this directory with the versions given,
# taken from the npm registry, and records what was taken in VERSIONS.
#
#   bash assets/graphiql/update.sh [GRAPHIQL_VERSION] [REACT_VERSION]
#
# GraphiQL must be a 4.x release and React an 18.x release: GraphiQL 5 and React 19 ship no
# UMD builds. After running it, change GRAPHIQL_VERSION in src/playground.rs to match (the
# assets' URLs carry the version) and run the tests.
set -euo pipefail

graphiql="${1:-4.1.2}"
react="${2:-18.3.1}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

case "$graphiql" in 4.*) ;; *) echo "GraphiQL $graphiql: only 4.x ships a UMD build" >&2; exit 1 ;; esac
case "$react" in 18.*) ;; *) echo "React $react: only 18.x ships UMD builds" >&2; exit 1 ;; esac

cd "$work"
for package in "graphiql@$graphiql" "react@$react" "react-dom@$react"; do
    npm pack --silent "$package" >/dev/null
done
for tarball in *.tgz; do
    mkdir "${tarball%.tgz}"
    tar xzf "$tarball" -C "${tarball%.tgz}"
done

copy() { install -m 0644 "$work/$1" "$here/$2"; }
copy "graphiql-$graphiql/package/graphiql.min.js" graphiql.min.js
copy "graphiql-$graphiql/package/graphiql.min.css" graphiql.min.css
copy "graphiql-$graphiql/package/LICENSE" LICENSE-graphiql
copy "react-$react/package/umd/react.production.min.js" react.production.min.js
copy "react-$react/package/LICENSE" LICENSE-react
copy "react-dom-$react/package/umd/react-dom.production.min.js" react-dom.production.min.js
copy "react-dom-$react/package/LICENSE" LICENSE-react-dom

{
    echo "# What this directory holds, as taken from the npm registry by update.sh."
    echo "# package@version  integrity of the package's tarball (npm's dist.integrity)"
    for package in "graphiql@$graphiql" "react@$react" "react-dom@$react"; do
        echo "$package $(npm view "$package" dist.integrity)"
    done
    echo "# sha256 of each file as committed (a test checks them)"
    cd "$here"
    sha256sum graphiql.min.js graphiql.min.css react.production.min.js \
        react-dom.production.min.js LICENSE-graphiql LICENSE-react LICENSE-react-dom
} > "$work/VERSIONS"
install -m 0644 "$work/VERSIONS" "$here/VERSIONS"
echo "GraphiQL $graphiql and React $react are in $here; now set GRAPHIQL_VERSION in src/playground.rs"
