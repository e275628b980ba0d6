package main

// The only Dapr components this daprd knows, registered in the default
// registries that the runtime reads (see runtimeConfig in main.go). Names and
// versions are the ones upstream daprd uses for the same components (its
// cmd/daprd/components/*.go at the pinned version), so component YAML written
// for stock daprd loads unchanged. Any other type fails to load, e.g.
// "couldn't find state store state.redis/v1". To add one: register its
// components-contrib constructor under the upstream name here, run
// `GOFLAGS=-mod=mod go mod tidy` in this directory, and commit go.mod and go.sum.

import (
	nrkubernetes "github.com/dapr/components-contrib/nameresolution/kubernetes"
	"github.com/dapr/components-contrib/nameresolution/mdns"
	nrsqlite "github.com/dapr/components-contrib/nameresolution/sqlite"
	"github.com/dapr/components-contrib/pubsub/kafka"
	"github.com/dapr/components-contrib/secretstores/kubernetes"
	"github.com/dapr/components-contrib/secretstores/local/env"
	"github.com/dapr/components-contrib/secretstores/local/file"
	pgv1 "github.com/dapr/components-contrib/state/postgresql/v1"
	pgv2 "github.com/dapr/components-contrib/state/postgresql/v2"

	"github.com/dapr/kit/logger"

	"github.com/dapr/dapr/pkg/components"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
	secretstoresLoader "github.com/dapr/dapr/pkg/components/secretstores"
	stateLoader "github.com/dapr/dapr/pkg/components/state"
)

func init() {
	// Components log through the registry's logger; a registry without one
	// hands them nil, and the first log line panics.
	contribLog := logger.NewLogger("dapr.contrib")
	pubsubLoader.DefaultRegistry.Logger = contribLog
	stateLoader.DefaultRegistry.Logger = contribLog
	secretstoresLoader.DefaultRegistry.Logger = contribLog
	nrLoader.DefaultRegistry.Logger = contribLog

	// pubsub.kafka
	pubsubLoader.DefaultRegistry.RegisterComponent(kafka.NewKafka, "kafka")

	// state.postgresql: as upstream, "version: v1" (the default) and "v2".
	stateLoader.DefaultRegistry.RegisterComponentWithVersions("postgresql", components.Versioning{
		Preferred: components.VersionConstructor{Version: "v2", Constructor: pgv2.NewPostgreSQLStateStore},
		Others:    []components.VersionConstructor{{Version: "v1", Constructor: pgv1.NewPostgreSQLStateStore}},
		Default:   "v1",
	})

	// secretstores.local.file, secretstores.local.env, secretstores.kubernetes
	secretstoresLoader.DefaultRegistry.RegisterComponent(file.NewLocalSecretStore, "local.file")
	secretstoresLoader.DefaultRegistry.RegisterComponent(env.NewEnvSecretStore, "local.env")
	secretstoresLoader.DefaultRegistry.RegisterComponent(kubernetes.NewKubernetesSecretStore, "kubernetes")

	// nameresolution.mdns: the self-hosted default.
	nrLoader.DefaultRegistry.RegisterComponent(mdns.NewResolver, "mdns")
	// nameresolution.sqlite: for sidecars sharing one machine when multicast (mDNS) is not
	// available, e.g. in CI containers. Select it in a Configuration:
	// spec.nameResolution: {component: sqlite, configuration: {connectionString: FILE}}.
	nrLoader.DefaultRegistry.RegisterComponent(nrsqlite.NewResolver, "sqlite")
	// nameresolution.kubernetes: the Kubernetes-mode default (an app id resolves to its
	// <app id>-dapr Service in the cluster's DNS), see docs/deploy/dapr.md.
	nrLoader.DefaultRegistry.RegisterComponent(nrkubernetes.NewResolver, "kubernetes")
}
