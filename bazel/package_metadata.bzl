"""A local stand-in for @package_metadata (bazel-contrib/supply-chain).

Gazelle's go_repository (>= v0.45) writes package_metadata targets into every
generated BUILD file and loads them from @package_metadata, whose source is
published only on GitHub and the Bazel registry. This repository rule provides
the same load paths and provider, carrying each module's package URL.
"""

_PROVIDER = '''
PackageMetadataInfo = provider(
    doc = "Metadata of a third-party package (local stand-in: purl only).",
    fields = {
        "metadata": "file with the metadata (None here)",
        "files": "depset of files (empty here)",
        "purl": "package URL",
    },
)
'''

_RULE = '''
load("//providers:package_metadata_info.bzl", "PackageMetadataInfo")

def _impl(ctx):
    return [PackageMetadataInfo(metadata = None, files = depset(), purl = ctx.attr.purl)]

_package_metadata = rule(
    implementation = _impl,
    attrs = {"purl": attr.string(), "attributes": attr.label_list()},
)

def package_metadata(name, purl = None, attributes = [], visibility = None, **kwargs):
    # No applicable_licenses: the package default points back at this target.
    _package_metadata(
        name = name,
        purl = purl,
        attributes = attributes,
        visibility = visibility,
        applicable_licenses = [],
        **kwargs
    )
'''

def _package_metadata_repository_impl(rctx):
    rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)
    rctx.file("BUILD.bazel", "")
    rctx.file("providers/BUILD.bazel", 'exports_files(["package_metadata_info.bzl"])\n')
    rctx.file("providers/package_metadata_info.bzl", _PROVIDER)
    rctx.file("rules/BUILD.bazel", 'exports_files(["package_metadata.bzl"])\n')
    rctx.file("rules/package_metadata.bzl", _RULE)

package_metadata_repository = repository_rule(implementation = _package_metadata_repository_impl)
