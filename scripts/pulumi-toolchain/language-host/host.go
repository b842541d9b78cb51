package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/shlex"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/contract"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi-internal/netutil"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	// Module that runs a Pulumi program; resolved with require.resolve from the
	// program directory. PULUMI_LANGUAGE_NODEJS_RUN_PATH overrides it.
	defaultRunModule = "@pulumi/pulumi/cmd/run"
	// Module that runs a plugin (a provider or component written in Node.js).
	defaultRunPluginModule = "@pulumi/pulumi/cmd/run-plugin"

	// Environment variables @pulumi/pulumi reads its configuration from.
	envConfig           = "PULUMI_CONFIG"
	envConfigSecretKeys = "PULUMI_CONFIG_SECRET_KEYS"

	// @pulumi/pulumi's run script exits with this code after it has already
	// shown the user an actionable error; the engine should then just stop.
	exitCodeUserActionableMessageShown = 32

	// Preferred port for `--inspect-brk` (Node's default inspector port).
	preferredDebugPort = 9229
)

// nodeHost implements pulumirpc.LanguageRuntimeServer.
type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	tracing string

	mu            sync.Mutex
	engineAddress string

	// cancelled by the Cancel RPC; running programs are interrupted.
	cancelCtx  context.Context
	cancelFunc context.CancelFunc
}

func newNodeHost(engineAddress, tracing string) *nodeHost {
	ctx, cancel := context.WithCancel(context.Background())
	return &nodeHost{
		engineAddress: engineAddress,
		tracing:       tracing,
		cancelCtx:     ctx,
		cancelFunc:    cancel,
	}
}

func (h *nodeHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *nodeHost) connectToEngine() (pulumirpc.EngineClient, io.Closer, error) {
	addr := h.engine()
	if addr == "" {
		return nil, nil, errors.New("when debugging or running explicitly, must call Handshake before Run")
	}
	conn, err := grpc.NewClient(addr, dialOptions()...)
	if err != nil {
		return nil, nil, fmt.Errorf("language host could not make connection to engine: %w", err)
	}
	return pulumirpc.NewEngineClient(conn), conn, nil
}

func dialOptions() []grpc.DialOption {
	return append(rpcutil.TracingInterceptorDialOptions(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		rpcutil.GrpcChannelOptions())
}

// ---------------------------------------------------------------------------
// Runtime options (the `runtime.options` block of Pulumi.yaml).

type nodeOptions struct {
	typescript     bool   // run .ts programs through ts-node (default true)
	tsconfigPath   string // tsconfig.json to hand to ts-node
	nodeArgs       string // extra arguments for the node process
	packageManager npm.PackageManagerType
}

func parseOptions(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packageManager: npm.AutoPackageManager}
	var raw map[string]any
	if info != nil && info.GetOptions() != nil {
		raw = info.GetOptions().AsMap()
	}
	if v, ok := raw["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("tsconfigpath option must be a string")
		}
		opts.tsconfigPath = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("nodeargs option must be a string")
		}
		opts.nodeArgs = s
	}
	if v, ok := raw["packagemanager"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("packagemanager option must be a string")
		}
		switch pm := npm.PackageManagerType(s); pm {
		case npm.AutoPackageManager, npm.NpmPackageManager, npm.YarnPackageManager,
			npm.PnpmPackageManager, npm.BunPackageManager:
			opts.packageManager = pm
		default:
			return opts, fmt.Errorf("packagemanager option must be one of auto, npm, yarn, pnpm or bun, got %q", s)
		}
	}
	return opts, nil
}

// programLocation returns the program directory and entry point of a request,
// falling back to the pre-ProgramInfo fields sent by older engines.
func programLocation(info *pulumirpc.ProgramInfo, pwd, program string) (string, string) {
	dir, entry := info.GetProgramDirectory(), info.GetEntryPoint()
	if dir == "" {
		dir = pwd
	}
	if entry == "" {
		entry = program
	}
	if entry == "" {
		entry = "."
	}
	return dir, entry
}

// resolveModule runs `node -e require.resolve(mod)` in dir, which finds the
// @pulumi/pulumi the program itself would load.
func resolveModule(ctx context.Context, nodeBin, mod, dir, installHint string) (string, error) {
	script := fmt.Sprintf("try { console.log(require.resolve(%q)); } catch (error) { "+
		"if (error.code === 'MODULE_NOT_FOUND') { "+
		"console.error(\"It looks like the Pulumi SDK has not been installed. Have you run %s?\"); "+
		"} else { console.error(error.message); } process.exit(1); }", mod, installHint)
	cmd := exec.CommandContext(ctx, nodeBin, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", errors.New(strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// ---------------------------------------------------------------------------
// LanguageRuntime RPCs.

func (h *nodeHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()

	hctx, stop := context.WithCancel(context.Background())
	if err := rpcutil.Healthcheck(hctx, req.GetEngineAddress(), 5*time.Minute, stop); err != nil {
		cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: pluginVersion()}, nil
}

// GetRequiredPlugins is superseded by GetRequiredPackages, which engines try first.
func (h *nodeHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return nil, status.Errorf(codes.Unimplemented, "method GetRequiredPlugins not implemented")
}

// GetRequiredPackages reports the resource plugins of the node_modules packages
// under the program directory whose package.json says `"pulumi": {"resource": true}`.
func (h *nodeHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	dir, _ := programLocation(req.GetInfo(), "", "")
	packages, err := findRequiredPackages(dir, os.Stderr)
	if err != nil {
		logging.V(3).Infof("one or more errors while discovering plugins: %s", err)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	engineClient, engineConn, err := h.connectToEngine()
	if err != nil {
		return nil, err
	}
	defer contract.IgnoreClose(engineConn)

	// The program talks to a proxy of the engine's resource monitor, served
	// here, exactly as it would with the upstream host.
	monitorConn, err := grpc.NewClient(req.GetMonitorAddress(), dialOptions()...)
	if err != nil {
		return nil, err
	}
	defer contract.IgnoreClose(monitorConn)
	target := pulumirpc.NewResourceMonitorClient(monitorConn)

	stopProxy := make(chan bool)
	defer close(stopProxy)
	proxy, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopProxy,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceMonitorServer(srv, &monitorProxy{target: target})
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		return nil, err
	}

	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()

	syncPipes, pipesDone, err := serveSyncInvokePipes(runCtx, target)
	if err != nil {
		return nil, err
	}
	defer syncPipes.shutdown()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}

	programDir, _ := programLocation(req.GetInfo(), req.GetPwd(), req.GetProgram())
	runModule := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runModule == "" {
		runModule = defaultRunModule
	}
	runPath, err := resolveModule(runCtx, nodeBin, runModule, programDir, "pulumi install")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	responses := make(chan *pulumirpc.RunResponse, 1)
	go func() {
		responses <- h.runProgram(runCtx, req, engineClient, nodeBin, runPath,
			fmt.Sprintf("127.0.0.1:%d", proxy.Port), syncPipes.directory())
	}()

	proxyDone := proxy.Done
	for {
		select {
		case err, ok := <-proxyDone:
			if err != nil {
				return &pulumirpc.RunResponse{Error: err.Error()}, nil
			}
			if !ok {
				proxyDone = nil
			}
		case err, ok := <-pipesDone:
			if err != nil {
				return &pulumirpc.RunResponse{Error: err.Error()}, nil
			}
			if !ok {
				pipesDone = nil
			}
		case resp := <-responses:
			return resp, nil
		}
	}
}

// runProgram launches `node <run script> <flags> <entry point> <args...>` and
// turns its exit status into a RunResponse.
func (h *nodeHost) runProgram(ctx context.Context, req *pulumirpc.RunRequest, engineClient pulumirpc.EngineClient,
	nodeBin, runPath, monitorAddress, syncDir string,
) *pulumirpc.RunResponse {
	args := h.runArguments(req, runPath, monitorAddress, syncDir)
	cfg, err := configJSON(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("failed to serialize configuration: %v", err)}
	}
	secretKeys, err := configSecretKeysJSON(req.GetConfigSecretKeys())
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("failed to serialize configuration secret keys: %v", err)}
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}
	}

	env := append(os.Environ(), envConfig+"="+cfg, envConfigSecretKeys+"="+secretKeys)
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigPath)
	}

	nodeArgs, err := shlex.Split(opts.nodeArgs)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}
	}
	debugPort := 0
	if req.GetAttachDebugger() {
		if debugPort, err = netutil.FindNextAvailablePort(preferredDebugPort); err != nil {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("failed to find available port for debugger: %v", err)}
		}
		nodeArgs = append(nodeArgs, fmt.Sprintf("--inspect-brk=%d", debugPort), "--inspect-publish-uid=http")
	}
	nodeArgs = append(nodeArgs, args...)
	logging.V(5).Infof("Language host launching process: %s %s", nodeBin, strings.Join(nodeArgs, " "))

	// Interrupt the program when the Cancel RPC arrives or the Run call ends;
	// kill it if it has not exited 5 seconds later.
	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	stopAfter := context.AfterFunc(ctx, cmdCancel)
	defer stopAfter()
	cmd := exec.CommandContext(cmdCtx, nodeBin, nodeArgs...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = env
	// Node may switch its stdio to non-blocking mode; never hand it our own
	// file descriptors, copy through a pipe instead.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	stderrR, stderrW := io.Pipe()
	cmd.Stderr = stderrW
	sniffer := newOOMSniffer(io.TeeReader(stderrR, os.Stderr))

	err = cmd.Start()
	if err == nil && req.GetAttachDebugger() {
		if derr := startDebugging(ctx, engineClient, cmd, debugPort, "Pulumi: Program (nodejs)"); derr != nil {
			contract.IgnoreError(cmd.Process.Kill())
			_ = cmd.Wait()
			err = derr
		}
	}
	if err == nil {
		err = cmd.Wait()
	}
	contract.IgnoreError(os.Stdout.Sync())
	contract.IgnoreError(os.Stderr.Sync())
	contract.IgnoreClose(stderrW)
	if err == nil {
		return &pulumirpc.RunResponse{}
	}

	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}
	}
	switch code := exitErr.ExitCode(); code {
	case 0:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited unexpectedly: %v", exitErr)}
	case exitCodeUserActionableMessageShown:
		return &pulumirpc.RunResponse{Bail: true}
	default:
		msg := fmt.Sprintf("Program exited with non-zero exit code: %d", code)
		if sniffer.wait() {
			msg += ". " + oomMessage
		}
		return &pulumirpc.RunResponse{Error: msg}
	}
}

// runArguments builds the command line of @pulumi/pulumi/cmd/run.
func (h *nodeHost) runArguments(req *pulumirpc.RunRequest, runPath, monitorAddress, syncDir string) []string {
	programDir, entry := programLocation(req.GetInfo(), req.GetPwd(), req.GetProgram())
	args := []string{runPath}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", monitorAddress)
	add("engine", h.engine())
	add("sync", syncDir)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	args = append(args, entry)
	return append(args, req.GetArgs()...)
}

// configJSON renders the stack configuration as @pulumi/pulumi expects it in
// PULUMI_CONFIG: keys in the `<namespace>:config:<name>` form, which every SDK
// version understands.
func configJSON(cfg map[string]string) (string, error) {
	if cfg == nil {
		return "{}", nil
	}
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func configSecretKeysJSON(keys []string) (string, error) {
	if keys == nil {
		return "[]", nil
	}
	b, err := json.Marshal(keys)
	return string(b), err
}

// InstallDependencies does not install anything: this project installs its
// packages with `npm ci` before any Pulumi command runs.
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, _, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	fmt.Fprintf(stdout, "Skipping dependency installation: run `npm ci` in the project instead.\n")
	return closer.Close()
}

func (h *nodeHost) RuntimeOptionsPrompts(
	ctx context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	var prompts []*pulumirpc.RuntimeOptionPrompt
	raw := map[string]any{}
	if req.GetInfo().GetOptions() != nil {
		raw = req.GetInfo().GetOptions().AsMap()
	}
	if _, ok := raw["packagemanager"]; !ok {
		prompts = append(prompts, &pulumirpc.RuntimeOptionPrompt{
			Key:         "packagemanager",
			Description: "The package manager to use for installing dependencies",
			PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
			Choices:     plugin.MakeExecutablePromptChoices("npm", "pnpm", "yarn", "bun"),
			Default: &pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{
				PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
				StringValue: "npm",
			},
		})
	}
	return &pulumirpc.RuntimeOptionsResponse{Prompts: prompts}, nil
}

func (h *nodeHost) Template(context.Context, *pulumirpc.TemplateRequest) (*pulumirpc.TemplateResponse, error) {
	return &pulumirpc.TemplateResponse{}, nil
}

func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return nil, fmt.Errorf("failed to parse options: %w", err)
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find executable \"node\": %w", err)
	}
	resp := &pulumirpc.AboutResponse{Executable: nodeBin, Metadata: map[string]string{}}
	if out, err := exec.CommandContext(ctx, nodeBin, "--version").Output(); err == nil {
		resp.Version = strings.TrimSpace(string(out))
	}
	dir, _ := programLocation(req.GetInfo(), "", "")
	if pm, err := npm.ResolvePackageManager(opts.packageManager, dir); err == nil {
		resp.Metadata["packagemanager"] = pm.Name()
		if v, err := pm.Version(); err == nil {
			resp.Metadata["packagemanagerVersion"] = v.String()
		}
	}
	return resp, nil
}

func (h *nodeHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return nil, fmt.Errorf("failed to parse options: %w", err)
	}
	dir, _ := programLocation(req.GetInfo(), req.GetPwd(), "")
	pm, err := npm.ResolvePackageManager(opts.packageManager, dir)
	if err != nil {
		return nil, fmt.Errorf("failed to determine package manager: %w", err)
	}
	packages, err := pm.ListPackages(ctx, dir, req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("failed to get node dependencies: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, len(packages))
	for i, p := range packages {
		deps[i] = &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// RunPlugin runs a provider or component plugin written in Node.js through
// @pulumi/pulumi/cmd/run-plugin. Policy packs are not supported.
func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if req.GetKind() == string(apitype.AnalyzerPlugin) {
		return status.Errorf(codes.Unimplemented, "policy packs are not supported by this language host")
	}
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return err
	}
	env := req.GetEnv()
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigPath)
	}
	dir, _ := programLocation(req.GetInfo(), req.GetPwd(), req.GetProgram())
	runModule := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runModule == "" {
		runModule = defaultRunPluginModule
	}
	runPath, err := resolveModule(ctx, nodeBin, runModule, dir, "npm install in "+dir)
	if err != nil {
		return err
	}
	nodeArgs, err := shlex.Split(opts.nodeArgs)
	if err != nil {
		return err
	}
	args := append([]string{runPath}, nodeArgs...)
	args = append(args, dir)
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return fmt.Errorf("Program exited with non-zero exit code: %d", exitErr.ExitCode())
		}
		return fmt.Errorf("Problem executing plugin program (could not run language executor): %w", err)
	}
	return closer.Close()
}

func (h *nodeHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelFunc()
	return &emptypb.Empty{}, nil
}

// startDebugging tells the engine where a debugger can attach to the program.
func startDebugging(ctx context.Context, engineClient pulumirpc.EngineClient, cmd *exec.Cmd, port int,
	name string,
) error {
	cfg := map[string]any{
		"name":             name,
		"type":             "node",
		"request":          "attach",
		"processId":        cmd.Process.Pid,
		"continueOnAttach": true,
		"skipFiles":        []any{"<node_internals>/**"},
	}
	message := fmt.Sprintf("on process id %d", cmd.Process.Pid)
	if port != preferredDebugPort {
		cfg["port"] = port
		message += fmt.Sprintf(" and port %d", port)
	}
	debugConfig, err := structpb.NewStruct(cfg)
	if err != nil {
		return err
	}
	if _, err := engineClient.StartDebugging(ctx, &pulumirpc.StartDebuggingRequest{
		Config: debugConfig, Message: message,
	}); err != nil {
		return fmt.Errorf("unable to start debugging: %w", err)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Out-of-memory detection on the program's stderr.

const oomMessage = "Detected a possible out of memory error. Consider increasing the memory available to the " +
	"nodejs process by setting the `nodeargs` runtime option in Pulumi.yaml to " +
	"`nodeargs: --max-old-space-size=<size>` where `<size>` is the maximum memory in megabytes that can be " +
	"allocated to nodejs."

type oomSniffer struct {
	done     chan struct{}
	mu       sync.Mutex
	detected bool
}

func newOOMSniffer(r io.Reader) *oomSniffer {
	s := &oomSniffer{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		scanner := bufio.NewScanner(r)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			line := scanner.Text()
			if strings.Contains(line, "<--- Last few GCs --->") ||
				strings.Contains(line, "Check failed: needs_context && current_scope_ == closure_scope_") {
				s.mu.Lock()
				s.detected = true
				s.mu.Unlock()
			}
		}
		// Keep draining so the program never blocks on a full stderr pipe.
		_, _ = io.Copy(io.Discard, r)
	}()
	return s
}

// wait waits (up to 15s) for the program's stderr to be fully read and
// reports whether an out-of-memory crash was seen.
func (s *oomSniffer) wait() bool {
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.detected
}
