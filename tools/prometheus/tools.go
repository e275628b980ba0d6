//go:build tools

// Package tools pins Prometheus v2.42.0 (Go module version v0.42.0) for the cluster tier's
// Prometheus image (deploy/images/prometheus.Containerfile, scripts/k8s/gobuild.sh
// prometheus): Debian's 2.42 package is built without Kubernetes service discovery
// (docs/decisions/0054-cluster-prometheus.md).
package tools

import _ "github.com/prometheus/prometheus/cmd/prometheus"
