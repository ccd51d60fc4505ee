// Package layering checks the direction of the repository's dependencies:
// the services (services/) and the libraries (libs/) never import anything
// under tools/, tests included. Tools use libraries, never the other way.
//
// Two checks enforce it. Under `go test` (and in .ci/run), TestNoToolsImports
// asks `go list -deps -test ./libs/... ./services/...`. Under Bazel
// (`tools/test`), every target under tools/ is visible only to tools/ and
// images/ (tools/BUILD.bazel's default_visibility), so a libs/ or services/
// target that depends on one fails to build.
package layering
