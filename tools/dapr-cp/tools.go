//go:build tools

// Package tools pins the Dapr control plane (operator, sentry, sidecar injector, placement)
// at the version in go.mod, so scripts/k8s/gobuild.sh builds them from this module
// (docs/deploy/dapr.md, docs/decisions/0046-dapr-on-kubernetes.md). The scheduler is not
// here: one of its modules is not served by the Go module proxy.
package tools

import (
	_ "github.com/dapr/dapr/cmd/injector"
	_ "github.com/dapr/dapr/cmd/operator"
	_ "github.com/dapr/dapr/cmd/placement"
	_ "github.com/dapr/dapr/cmd/sentry"
)
