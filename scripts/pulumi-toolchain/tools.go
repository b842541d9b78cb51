//go:build tools

// Package tools pins the Pulumi CLI main package, so that go.mod and go.sum
// record every module `go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi`
// needs and the build works from the module proxy alone.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
