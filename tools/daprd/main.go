// Command daprd is the Dapr sidecar that Todo's tests run beside the app, and
// the sidecar the Dapr injector adds to Todo's pods on Kubernetes: the runtime
// of github.com/dapr/dapr (at the version pinned in go.mod) with only the
// components that components.go registers.
//
// Why this program exists: upstream's daprd main lives in the package
// github.com/dapr/dapr/cmd/daprd/app, which imports cmd/daprd/components.
// That package cannot be taken selectively: built without a tag it panics in
// init, and its tags (allcomponents, stablecomponents) link every component
// with its cloud SDKs. So we drive dapr's runtime packages ourselves, the way
// cmd/daprd/app does.
//
// Two modes, chosen by --mode:
//   - standalone (self-hosted, the default), as the tests use it: the HTTP and
//     gRPC APIs, the app channel, components from --resources-path,
//     configuration files, metrics and the scheduler connection of the Jobs
//     API. mTLS with Sentry, the operator, actors/placement and Unix sockets
//     are left out there; asking for them is an error rather than silently
//     ignored.
//   - kubernetes, as the injector starts it in a pod: every flag and
//     environment variable the Dapr 1.16 injector gives a sidecar is honoured
//     as upstream does. The workload certificate comes from Sentry
//     (--sentry-address, trust anchors from DAPR_TRUST_ANCHORS, or from the
//     file named by DAPR_TRUST_ANCHORS_FILE), daprd-to-daprd calls use mTLS
//     when --enable-mtls is set, and components, subscriptions, resiliency and
//     the Configuration come from the operator (--control-plane-address).
//
// It runs until SIGINT or SIGTERM and exits 0 after a clean stop.
//
// See docs/decisions/0011-daprd-built-from-go-proxy.md and
// docs/decisions/0046-dapr-on-kubernetes.md.
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
	secconsts "github.com/dapr/dapr/pkg/security/consts"
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
	if opts.BuildInfo {
		fmt.Printf("Version: %s\nGit Commit: %s\nGit Version: %s\n",
			buildinfo.Version(), buildinfo.Commit(), buildinfo.GitVersion())
		return
	}
	if opts.WaitCommand {
		// Polls the sidecar's /v1.0/healthz/outbound on --dapr-http-port, as upstream.
		runtime.WaitUntilDaprOutboundReady(opts.DaprHTTPPort)
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
	log.Infof("Starting Todo's daprd (dapr %s, mode %s, components: see tools/daprd/components.go)",
		buildinfo.Version(), opts.Mode)

	// Cancelled on the first SIGINT/SIGTERM; a second one exits at once.
	ctx := signals.Context()
	if err := run(ctx, opts); err != nil {
		log.Fatalf("daprd failed: %v", err)
	}
	log.Info("daprd stopped cleanly")
}

// checkSupported rejects flags asking for what this build leaves out. In
// Kubernetes mode nothing is left out: the injector's flags all pass through.
func checkSupported(opts *options.Options) error {
	switch modes.DaprMode(opts.Mode) {
	case modes.KubernetesMode:
		return nil
	case modes.StandaloneMode:
	default:
		return fmt.Errorf("unknown --mode %q (standalone or kubernetes)", opts.Mode)
	}
	var unsupported []string
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
	} {
		if f.set {
			unsupported = append(unsupported, f.flag)
		}
	}
	if len(unsupported) == 0 {
		return nil
	}
	return errors.New("not supported by this daprd in standalone mode (see tools/daprd/main.go): " +
		strings.Join(unsupported, ", "))
}

// securityOptions maps the flags onto the security provider's options, as
// upstream's cmd/daprd/app does. In standalone mode (mTLS refused by
// checkSupported) the provider requests no certificate; it only reports
// ready and hands out a handler whose servers and dialers use plain TCP. In
// Kubernetes mode it always requests the workload's certificate from Sentry,
// authenticating with the pod's service-account token, and the control
// plane is always reached over mTLS.
func securityOptions(opts *options.Options, health healthz.Healthz) (security.Options, error) {
	sopts := security.Options{
		SentryAddress:           opts.SentryAddress,
		ControlPlaneTrustDomain: opts.ControlPlaneTrustDomain,
		ControlPlaneNamespace:   opts.ControlPlaneNamespace,
		TrustAnchors:            opts.TrustAnchors, // DAPR_TRUST_ANCHORS (options.New)
		AppID:                   opts.AppID,
		MTLSEnabled:             opts.EnableMTLS,
		Mode:                    modes.DaprMode(opts.Mode),
		Healthz:                 health,
		JwtAudiences:            opts.SentryRequestJwtAudiences,
	}
	if file := os.Getenv(trustAnchorsFileEnv); file != "" {
		if len(sopts.TrustAnchors) > 0 {
			return sopts, fmt.Errorf("set only one of %s and %s", secconsts.TrustAnchorsEnvVar, trustAnchorsFileEnv)
		}
		sopts.TrustAnchorsFile = &file // re-read when the file changes
	}
	return sopts, nil
}

// trustAnchorsFileEnv names a PEM file of trust anchors, the alternative to
// DAPR_TRUST_ANCHORS that Dapr's control-plane services read.
const trustAnchorsFileEnv = "DAPR_TRUST_ANCHORS_FILE"

// run builds the security provider and the runtime and runs both until ctx
// is cancelled. Readiness of the parts (security, runtime, metrics) is
// collected in one healthz, which the runtime serves at /v1.0/healthz.
func run(ctx context.Context, opts *options.Options) error {
	health := healthz.New()

	sopts, err := securityOptions(opts, health)
	if err != nil {
		return err
	}
	secProvider, err := security.New(ctx, sopts)
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

		// Kubernetes mode (checkSupported refuses these in standalone mode):
		// the operator serves components, subscriptions, resiliency and the
		// Configuration; Sentry issues the certificate for mTLS; actors use
		// placement when the injector names it; Secret objects are a secret
		// store named "kubernetes" unless disabled.
		ControlPlaneAddress:          opts.ControlPlaneAddress,
		SentryAddress:                opts.SentryAddress,
		EnableMTLS:                   opts.EnableMTLS,
		ActorsService:                opts.ActorsService,
		RemindersService:             opts.RemindersService,
		UnixDomainSocket:             opts.UnixDomainSocket,
		AppSSL:                       opts.AppSSL,
		DisableBuiltinK8sSecretStore: opts.DisableBuiltinK8sSecretStore,

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
