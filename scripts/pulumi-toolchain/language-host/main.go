// Command pulumi-language-nodejs is a minimal Node.js language host for the
// Pulumi engine, built from the github.com/pulumi/pulumi/sdk/v3 module only.
//
// The upstream host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
// cannot be fetched from the module proxy this project builds from, so this
// program speaks the same LanguageRuntime gRPC protocol and launches programs
// the same way: it resolves @pulumi/pulumi/cmd/run from the program directory
// and runs it under `node` with the same flags and environment variables.
//
// Command line (as the engine launches language plugins):
//
//	pulumi-language-nodejs [-tracing URL] [-runtime nodejs] [-version] [ENGINE_ADDRESS]
//
// The obsolete flags -root, -typescript and -binary are accepted and ignored.
// Once serving, the host prints its gRPC port on stdout, on a line by itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// fallbackVersion is reported when the binary was built without
// -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=...".
const fallbackVersion = "3.248.0"

func pluginVersion() string {
	if version.Version != "" {
		return version.Version
	}
	return fallbackVersion
}

func main() {
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	tracing := fs.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	runtimeName := fs.String("runtime", "nodejs", "Runtime used to run programs (only `nodejs` is supported)")
	showVersion := fs.Bool("version", false, "Print the plugin version and exit")
	// Flags older engines passed; accepted so such command lines still parse.
	fs.String("root", "", "[obsolete] Project root path")
	fs.Bool("typescript", true, "[obsolete] Use ts-node; now the `typescript` runtime option")
	fs.String("binary", "", "[obsolete] Unused")
	if err := fs.Parse(os.Args[1:]); err != nil {
		cmdutil.Exit(err)
	}

	if *showVersion {
		fmt.Println(pluginVersion())
		return
	}

	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing("pulumi-language-nodejs", "pulumi-language-nodejs", *tracing)

	if *runtimeName != "nodejs" {
		cmdutil.Exit(fmt.Errorf("unsupported runtime: %s (this host only runs nodejs)", *runtimeName))
	}

	// The engine passes its own gRPC address as the only positional argument.
	// It is absent when the host is started by hand for debugging; the engine
	// then supplies it through Handshake.
	var engineAddress string
	if args := fs.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	// Stop serving on SIGINT, or when the engine stops answering health checks,
	// so an abandoned host does not outlive its engine.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancelServe := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancelServe)
	}()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelServe,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, newNodeHost(engineAddress, *tracing))
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}

	// The engine reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}
