//go:build tools

// Package tools pins kube-state-metrics, which scripts/k8s/gobuild.sh builds from this module
// for the cluster tier's Prometheus (tests/k8s/prometheus/): the pods' restart counts that the
// TodoPodRestarting alert reads come from it, as in kube-prometheus-stack
// (docs/decisions/0054-cluster-prometheus.md).
package tools

import _ "k8s.io/kube-state-metrics/v2"
