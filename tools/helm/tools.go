//go:build tools

// Package tools pins Helm, which scripts/k8s/gobuild.sh builds from this module
// for the chart tests and the cluster tier (docs/deploy/test-cluster.md).
package tools

import _ "helm.sh/helm/v3/cmd/helm"
