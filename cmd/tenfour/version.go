package main

// version is the release's version, stamped by "make release"
// (-ldflags "-X main.version=$(git describe)"); empty in a plain build,
// where the module's build information is all there is.
var version string
