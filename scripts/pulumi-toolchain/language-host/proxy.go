package main

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/contract"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// monitorProxy serves the ResourceMonitor API to the Node.js program and
// forwards every call, unchanged, to the engine's monitor.
type monitorProxy struct {
	pulumirpc.UnimplementedResourceMonitorServer
	target pulumirpc.ResourceMonitorClient
}

func (p *monitorProxy) GetDeploymentInfo(ctx context.Context, req *emptypb.Empty) (*pulumirpc.DeploymentInfo, error) {
	return p.target.GetDeploymentInfo(ctx, req)
}

func (p *monitorProxy) SupportsFeature(
	ctx context.Context, req *pulumirpc.SupportsFeatureRequest,
) (*pulumirpc.SupportsFeatureResponse, error) {
	return p.target.SupportsFeature(ctx, req)
}

func (p *monitorProxy) Invoke(
	ctx context.Context, req *pulumirpc.ResourceInvokeRequest,
) (*pulumirpc.ResourceInvokeResponse, error) {
	return p.target.Invoke(ctx, req)
}

func (p *monitorProxy) Call(ctx context.Context, req *pulumirpc.ResourceCallRequest) (*pulumirpc.CallResponse, error) {
	return p.target.Call(ctx, req)
}

func (p *monitorProxy) ReadResource(
	ctx context.Context, req *pulumirpc.ReadResourceRequest,
) (*pulumirpc.ReadResourceResponse, error) {
	return p.target.ReadResource(ctx, req)
}

func (p *monitorProxy) ExistsResource(
	ctx context.Context, req *pulumirpc.ExistsResourceRequest,
) (*pulumirpc.ExistsResourceResponse, error) {
	return p.target.ExistsResource(ctx, req)
}

func (p *monitorProxy) RegisterResource(
	ctx context.Context, req *pulumirpc.RegisterResourceRequest,
) (*pulumirpc.RegisterResourceResponse, error) {
	return p.target.RegisterResource(ctx, req)
}

func (p *monitorProxy) RegisterResourceOutputs(
	ctx context.Context, req *pulumirpc.RegisterResourceOutputsRequest,
) (*emptypb.Empty, error) {
	return p.target.RegisterResourceOutputs(ctx, req)
}

func (p *monitorProxy) RegisterStackTransform(ctx context.Context, req *pulumirpc.Callback) (*emptypb.Empty, error) {
	return p.target.RegisterStackTransform(ctx, req)
}

func (p *monitorProxy) RegisterStackInvokeTransform(
	ctx context.Context, req *pulumirpc.Callback,
) (*emptypb.Empty, error) {
	return p.target.RegisterStackInvokeTransform(ctx, req)
}

func (p *monitorProxy) RegisterResourceHook(
	ctx context.Context, req *pulumirpc.RegisterResourceHookRequest,
) (*emptypb.Empty, error) {
	return p.target.RegisterResourceHook(ctx, req)
}

func (p *monitorProxy) RegisterErrorHook(
	ctx context.Context, req *pulumirpc.RegisterErrorHookRequest,
) (*emptypb.Empty, error) {
	return p.target.RegisterErrorHook(ctx, req)
}

func (p *monitorProxy) RegisterPackage(
	ctx context.Context, req *pulumirpc.RegisterPackageRequest,
) (*pulumirpc.RegisterPackageResponse, error) {
	return p.target.RegisterPackage(ctx, req)
}

func (p *monitorProxy) SignalAndWaitForShutdown(ctx context.Context, req *emptypb.Empty) (*emptypb.Empty, error) {
	return p.target.SignalAndWaitForShutdown(ctx, req)
}

// ---------------------------------------------------------------------------
// Synchronous invokes.
//
// The program gets `--sync <dir>`; dir holds two FIFOs, invoke_req and
// invoke_res. A program that wants a blocking invoke opens invoke_req for
// writing and invoke_res for reading, then writes frames of a 4-byte
// big-endian length followed by a protobuf ResourceInvokeRequest, and reads
// frames of the same shape holding a ResourceInvokeResponse. Current @pulumi/pulumi
// versions no longer open the FIFOs; they are still offered, as by the
// upstream host, for programs built on older SDKs.

type syncInvokePipes struct {
	dir              string
	reqPath, resPath string
	exited           chan struct{} // closed when serve returns

	mu       sync.Mutex
	req, res *os.File
	closed   bool
}

func (p *syncInvokePipes) directory() string { return p.dir }

// serveSyncInvokePipes creates the FIFOs and answers requests on them until
// the program closes them. The returned channel yields the serving error (nil
// on a clean end) and is then closed.
func serveSyncInvokePipes(
	ctx context.Context, target pulumirpc.ResourceMonitorClient,
) (*syncInvokePipes, chan error, error) {
	dir, err := os.MkdirTemp("", "pulumi-node-pipes")
	if err != nil {
		return nil, nil, err
	}
	p := &syncInvokePipes{
		dir:     dir,
		reqPath: filepath.Join(dir, "invoke_req"),
		resPath: filepath.Join(dir, "invoke_res"),
		exited:  make(chan struct{}),
	}
	for _, f := range []string{p.reqPath, p.resPath} {
		if err := syscall.Mkfifo(f, 0o600); err != nil {
			contract.IgnoreError(os.RemoveAll(dir))
			return nil, nil, err
		}
	}

	done := make(chan error, 1)
	go func() {
		err := p.serve(ctx, target)
		close(p.exited)
		done <- err
		close(done)
	}()
	return p, done, nil
}

func (p *syncInvokePipes) serve(ctx context.Context, target pulumirpc.ResourceMonitorClient) error {
	// Opening the request FIFO blocks until the program opens it for writing
	// (or shutdown() does, to release us). The response FIFO is opened
	// read-write, which never blocks, so the program's own open for reading
	// returns at once.
	req, err := os.OpenFile(p.reqPath, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	res, err := os.OpenFile(p.resPath, os.O_RDWR, 0)
	if err != nil {
		contract.IgnoreClose(req)
		return err
	}
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.req, p.res = req, res
	}
	p.mu.Unlock()
	if closed {
		contract.IgnoreClose(req)
		contract.IgnoreClose(res)
		return nil
	}

	for {
		var n uint32
		if err := binary.Read(req, binary.BigEndian, &n); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
				return nil // the program closed its end, or we shut down
			}
			return err
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(req, buf); err != nil {
			return err
		}
		var invoke pulumirpc.ResourceInvokeRequest
		if err := proto.Unmarshal(buf, &invoke); err != nil {
			return err
		}
		logging.V(10).Infof("Sync invoke: invoking %s", invoke.GetTok())
		resp, err := target.Invoke(ctx, &invoke)
		if err != nil {
			// The frame format has no error slot: report the failure the way
			// the SDK already surfaces provider check failures, so the program
			// throws just as it would for a failed asynchronous invoke.
			if resp == nil {
				resp = &pulumirpc.ResourceInvokeResponse{}
			}
			resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Reason: err.Error()})
		}
		out, err := proto.Marshal(resp)
		if err != nil {
			return err
		}
		if err := binary.Write(res, binary.BigEndian, uint32(len(out))); err != nil {
			return err
		}
		if _, err := res.Write(out); err != nil {
			return err
		}
	}
}

// shutdown releases the serving goroutine and removes the FIFOs.
func (p *syncInvokePipes) shutdown() {
	p.mu.Lock()
	p.closed = true
	req, res := p.req, p.res
	p.mu.Unlock()

	if req != nil {
		// Closing the files makes a pending read fail with os.ErrClosed.
		contract.IgnoreClose(req)
		contract.IgnoreClose(res)
	} else {
		// The program never connected, so serve is (or is about to be) blocked
		// opening the request FIFO. Opening its write end releases that open;
		// it fails with ENXIO until serve has started waiting, hence the retry.
		deadline := time.After(2 * time.Second)
	release:
		for {
			if f, err := os.OpenFile(p.reqPath, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				contract.IgnoreClose(f)
			}
			select {
			case <-p.exited:
				break release
			case <-deadline:
				logging.V(5).Infof("sync invoke pipes: server did not stop")
				break release
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	contract.IgnoreError(os.RemoveAll(p.dir))
}
