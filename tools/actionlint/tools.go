//go:build tools

// Package tools pins actionlint, which scripts/k8s/gobuild.sh builds from this module for
// scripts/test-workflows.sh (`make test-workflows`, docs/deploy/ci-cd.md).
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
