// Package toolchaincheck holds tests that the toolchain building this
// repository is the one the repository pins: the Go SDK Bazel downloads must
// be the version go.mod declares.
package toolchaincheck
