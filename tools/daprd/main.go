// Command daprd is the Dapr sidecar that Todo's tests run beside the app: the
// runtime of github.com/dapr/dapr (at the version pinned in go.mod) with only
// the components that components.go registers.
//
// Why this program exists: upstream's daprd main lives in the package
// github.com/dapr/dapr/cmd/daprd/app, which imports cmd/daprd/components.
// That package cannot be taken selectively: built without a tag it panics in
// init, and its tags (allcomponents, stablecomponents) link every component
// with its cloud SDKs. So we drive dapr's runtime packages ourselves.
//
// Scope: self-hosted (standalone) mode, as the tests use it. It accepts
// daprd's usual flags (parsed by dapr's own options package) and serves the
// HTTP and gRPC APIs, the app channel, components from --resources-path,
// configuration files, metrics and the scheduler connection of the Jobs API.
// Kubernetes mode, mTLS with Sentry, actors/placement and Unix sockets are
// left out; asking for them is an error rather than silently ignored.
// It runs until SIGINT or SIGTERM and exits 0 after a clean stop.
//
// See docs/decisions/0011-daprd-built-from-go-proxy.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/dapr/dapr/cmd/daprd/options"
	"github.com/dapr/dapr/pkg/buildinfo"
	"github.com/dapr/dapr/pkg/healthz"
	"github.com/dapr/dapr/pkg/metrics"
	"github.com/dapr/dapr/pkg/modes"
	"github.com/dapr/dapr/pkg/runtime"
	"github.com/dapr/dapr/pkg/runtime/registry"
	"github.com/dapr/dapr/pkg/security"
	"github.com/dapr/kit/concurrency"
	"github.com/dapr/kit/logger"
	"github.com/dapr/kit/signals"
)

var log = logger.NewLogger("dapr.runtime")

func main() {
	// options.New exits with status 2 on an unknown or malformed flag.
	opts, err := options.New(os.Args[1:])
	if err != nil {
		log.Fatalf("Invalid flags: %v", err)
	}
	if opts.RuntimeVersion {
		fmt.Println(buildinfo.Version())
		return
	}
	if err := checkSupported(opts); err != nil {
		log.Fatal(err)
	}

	// Every dapr logger (runtime, components, signals) takes --log-level,
	// --log-as-json and the app id from here.
	opts.Logger.SetAppID(opts.AppID)
	if err := logger.ApplyOptionsToLoggers(&opts.Logger); err != nil {
		log.Fatal(err)
	}
	log.Infof("Starting Todo's daprd (dapr %s, components: see tools/daprd/components.go)", buildinfo.Version())

	// Cancelled on the first SIGINT/SIGTERM; a second one exits at once.
	ctx := signals.Context()
	if err := run(ctx, opts); err != nil {
		log.Fatalf("daprd failed: %v", err)
	}
	log.Info("daprd stopped cleanly")
}

// checkSupported rejects flags asking for what this build leaves out.
func checkSupported(opts *options.Options) error {
	var unsupported []string
	if opts.Mode != string(modes.StandaloneMode) {
		unsupported = append(unsupported, "--mode "+opts.Mode)
	}
	for _, f := range []struct {
		flag string
		set  bool
	}{
		{"--enable-mtls", opts.EnableMTLS},
		{"--sentry-address", opts.SentryAddress != ""},
		{"--control-plane-address", opts.ControlPlaneAddress != ""},
		{"--actors-service / --placement-host-address", opts.ActorsService != ""},
		{"--reminders-service", opts.RemindersService != ""},
		{"--unix-domain-socket", opts.UnixDomainSocket != ""},
		{"--app-ssl (use --app-protocol https or grpcs)", opts.AppSSL},
		{"--build-info", opts.BuildInfo},
		{"--wait", opts.WaitCommand},
	} {
		if f.set {
			unsupported = append(unsupported, f.flag)
		}
	}
	if len(unsupported) == 0 {
		return nil
	}
	return errors.New("not supported by this daprd (self-hosted mode only, see tools/daprd/main.go): " +
		strings.Join(unsupported, ", "))
}

// run builds the security provider and the runtime and runs both until ctx
// is cancelled. Readiness of the parts (security, runtime, metrics) is
// collected in one healthz, which the runtime serves at /v1.0/healthz.
func run(ctx context.Context, opts *options.Options) error {
	health := healthz.New()

	// Without mTLS the provider requests no certificate; it only reports
	// ready and hands out a handler whose servers and dialers use plain TCP.
	secProvider, err := security.New(ctx, security.Options{
		AppID:                   opts.AppID,
		Mode:                    modes.StandaloneMode,
		ControlPlaneTrustDomain: opts.ControlPlaneTrustDomain,
		ControlPlaneNamespace:   opts.ControlPlaneNamespace,
		Healthz:                 health,
	})
	if err != nil {
		return fmt.Errorf("security provider: %w", err)
	}

	startRuntime := func(ctx context.Context) error {
		sec, err := secProvider.Handler(ctx) // waits for secProvider.Run
		if err != nil {
			return err
		}
		rt, err := runtime.FromConfig(ctx, runtimeConfig(opts, sec, health))
		if err != nil {
			return fmt.Errorf("runtime: %w", err)
		}
		return rt.Run(ctx)
	}
	return concurrency.NewRunnerManager(secProvider.Run, startRuntime).Run(ctx)
}

// runtimeConfig maps the parsed flags onto the runtime's configuration.
// options.New has already filled in daprd's defaults (ports, body and buffer
// sizes, graceful shutdown, app health probes), which FromConfig expects.
func runtimeConfig(opts *options.Options, sec security.Handler, health healthz.Healthz) *runtime.Config {
	return &runtime.Config{
		AppID:  opts.AppID,
		Mode:   opts.Mode,
		Config: opts.Config,

		// Components, subscriptions, resiliency policies. ComponentsPath is
		// the deprecated --components-path, used when --resources-path is not.
		ResourcesPath:  opts.ResourcesPath,
		ComponentsPath: opts.ComponentsPath,
		// No registry options: the runtime then uses each component kind's
		// DefaultRegistry, which holds exactly what components.go registered.
		Registry: registry.NewOptions(),

		// Dapr's own APIs.
		DaprHTTPPort:                  opts.DaprHTTPPort,
		DaprAPIGRPCPort:               opts.DaprAPIGRPCPort,
		DaprAPIListenAddresses:        opts.DaprAPIListenAddresses,
		DaprInternalGRPCPort:          opts.DaprInternalGRPCPort,
		DaprInternalGRPCListenAddress: opts.DaprInternalGRPCListenAddress,
		DaprPublicPort:                opts.DaprPublicPort,
		DaprPublicListenAddress:       opts.DaprPublicListenAddress,
		AllowedOrigins:                opts.AllowedOrigins,
		MaxRequestSize:                opts.MaxRequestSize,
		ReadBufferSize:                opts.ReadBufferSize,
		EnableAPILogging:              opts.EnableAPILogging,
		ProfilePort:                   opts.ProfilePort,
		EnableProfiling:               opts.EnableProfiling,

		// The channel to the app: where it listens and how it is probed.
		ApplicationPort:        opts.AppPort,
		AppProtocol:            opts.AppProtocol,
		AppChannelAddress:      opts.AppChannelAddress,
		AppMaxConcurrency:      opts.AppMaxConcurrency,
		EnableAppHealthCheck:   opts.EnableAppHealthCheck,
		AppHealthCheckPath:     opts.AppHealthCheckPath,
		AppHealthProbeInterval: opts.AppHealthProbeInterval,
		AppHealthProbeTimeout:  opts.AppHealthProbeTimeout,
		AppHealthThreshold:     opts.AppHealthThreshold,

		// Jobs API: only active when a scheduler address is given.
		SchedulerAddress: opts.SchedulerAddress,
		SchedulerStreams: opts.SchedulerJobStreams,

		// Shutdown on SIGTERM.
		DaprGracefulShutdownSeconds: opts.DaprGracefulShutdownSeconds,
		DaprBlockShutdownDuration:   opts.DaprBlockShutdownDuration,

		// Prometheus metrics on --metrics-listen-address:--metrics-port.
		Metrics: metrics.Options{
			Enabled:       opts.Metrics.Enabled(),
			Port:          opts.Metrics.Port(),
			ListenAddress: opts.Metrics.ListenAddress(),
			Namespace:     metrics.DefaultMetricNamespace,
			Log:           log,
			Healthz:       health,
		},

		Security: sec,
		Healthz:  health,
	}
}
