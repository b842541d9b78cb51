package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestRunArguments(t *testing.T) {
	h := newNodeHost("127.0.0.1:1000", "")
	req := &pulumirpc.RunRequest{
		Project:      "proj",
		Stack:        "dev",
		Organization: "org",
		DryRun:       true,
		Parallel:     16,
		Args:         []string{"extra"},
		Info: &pulumirpc.ProgramInfo{
			RootDirectory:    "/root",
			ProgramDirectory: "/root/prog",
			EntryPoint:       ".",
		},
	}
	got := h.runArguments(req, "/nm/@pulumi/pulumi/cmd/run/index.js", "127.0.0.1:2000", "/tmp/pipes")
	want := []string{
		"/nm/@pulumi/pulumi/cmd/run/index.js",
		"--monitor", "127.0.0.1:2000",
		"--engine", "127.0.0.1:1000",
		"--sync", "/tmp/pipes",
		"--organization", "org",
		"--project", "proj",
		"--root-directory", "/root",
		"--stack", "dev",
		"--pwd", "/root/prog",
		"--dry-run",
		"--parallel", "16",
		".",
		"extra",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("runArguments:\n got %q\nwant %q", got, want)
	}
}

func TestConfigJSON(t *testing.T) {
	got, err := configJSON(map[string]string{"proj:who": "alice", "aws:region": "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"aws:config:region":"us-east-1","proj:config:who":"alice"}`
	if got != want {
		t.Fatalf("configJSON = %s, want %s", got, want)
	}
	if got, _ := configJSON(nil); got != "{}" {
		t.Fatalf("configJSON(nil) = %s", got)
	}
	if got, _ := configSecretKeysJSON(nil); got != "[]" {
		t.Fatalf("configSecretKeysJSON(nil) = %s", got)
	}
}

func TestParseOptions(t *testing.T) {
	opts, err := parseOptions(nil)
	if err != nil || !opts.typescript || opts.packageManager != "auto" {
		t.Fatalf("defaults: %+v, %v", opts, err)
	}
	s, _ := structpb.NewStruct(map[string]any{"typescript": false, "nodeargs": "--max-old-space-size=64"})
	opts, err = parseOptions(&pulumirpc.ProgramInfo{Options: s})
	if err != nil || opts.typescript || opts.nodeArgs != "--max-old-space-size=64" {
		t.Fatalf("options: %+v, %v", opts, err)
	}
	s, _ = structpb.NewStruct(map[string]any{"packagemanager": "maven"})
	if _, err := parseOptions(&pulumirpc.ProgramInfo{Options: s}); err == nil {
		t.Fatal("bad packagemanager accepted")
	}
}

func TestFindRequiredPackages(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package.json", `{"name":"prog","pulumi":{"resource":true}}`) // not in node_modules: ignored
	write("node_modules/@pulumi/pulumi/package.json", `{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	write("node_modules/@pulumi/aws/package.json", `{"name":"@pulumi/aws","version":"7.1.0","pulumi":{"resource":true}}`)
	write("node_modules/other/package.json", `{"name":"other","version":"1.0.0"}`)
	write("node_modules/@acme/thing/package.json",
		`{"name":"@acme/thing","version":"2.0.0","pulumi":{"resource":true,"name":"thing","server":"https://x"}}`)
	// A link back up must not loop.
	if err := os.Symlink(dir, filepath.Join(dir, "node_modules", "loop")); err != nil {
		t.Fatal(err)
	}

	var warn bytes.Buffer
	pkgs, err := findRequiredPackages(dir, &warn)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range pkgs {
		got[p.Name] = p.Version + " " + p.Kind + " " + p.Server
	}
	want := map[string]string{"aws": "v7.1.0 resource ", "thing": "v2.0.0 resource https://x"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("packages = %v, want %v", got, want)
	}
	if warn.Len() != 0 {
		t.Fatalf("unexpected warning: %s", warn.String())
	}
}

// fakeMonitor answers Invoke with the token echoed back, or fails.
type fakeMonitor struct {
	pulumirpc.ResourceMonitorClient
}

func (fakeMonitor) Invoke(
	_ context.Context, req *pulumirpc.ResourceInvokeRequest, _ ...grpc.CallOption,
) (*pulumirpc.ResourceInvokeResponse, error) {
	if req.GetTok() == "fail" {
		return nil, errors.New("no such thing")
	}
	ret, _ := structpb.NewStruct(map[string]any{"tok": req.GetTok()})
	return &pulumirpc.ResourceInvokeResponse{Return: ret}, nil
}

func TestSyncInvokePipes(t *testing.T) {
	p, done, err := serveSyncInvokePipes(context.Background(), fakeMonitor{})
	if err != nil {
		t.Fatal(err)
	}
	// The program's side: open the request FIFO for writing, then the response FIFO for reading.
	reqW, err := os.OpenFile(filepath.Join(p.directory(), "invoke_req"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	resR, err := os.OpenFile(filepath.Join(p.directory(), "invoke_res"), os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	invoke := func(tok string) *pulumirpc.ResourceInvokeResponse {
		b, err := proto.Marshal(&pulumirpc.ResourceInvokeRequest{Tok: tok})
		if err != nil {
			t.Fatal(err)
		}
		if err := binary.Write(reqW, binary.BigEndian, uint32(len(b))); err != nil {
			t.Fatal(err)
		}
		if _, err := reqW.Write(b); err != nil {
			t.Fatal(err)
		}
		var n uint32
		if err := binary.Read(resR, binary.BigEndian, &n); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(resR, buf); err != nil {
			t.Fatal(err)
		}
		var resp pulumirpc.ResourceInvokeResponse
		if err := proto.Unmarshal(buf, &resp); err != nil {
			t.Fatal(err)
		}
		return &resp
	}

	if got := invoke("pkg:mod:fn").GetReturn().AsMap()["tok"]; got != "pkg:mod:fn" {
		t.Fatalf("invoke returned %v", got)
	}
	failed := invoke("fail")
	if len(failed.GetFailures()) != 1 || !strings.Contains(failed.GetFailures()[0].GetReason(), "no such thing") {
		t.Fatalf("failed invoke returned %v", failed)
	}

	// The program closing its end ends serving cleanly.
	reqW.Close()
	resR.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not end after the program closed the pipes")
	}
	p.shutdown()
	if _, err := os.Stat(p.directory()); !os.IsNotExist(err) {
		t.Fatalf("pipes directory left behind: %v", err)
	}
}

func TestSyncInvokePipesShutdownWithoutProgram(t *testing.T) {
	p, done, err := serveSyncInvokePipes(context.Background(), fakeMonitor{})
	if err != nil {
		t.Fatal(err)
	}
	finished := make(chan struct{})
	go func() {
		p.shutdown()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown hung while no program had opened the pipes")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve still running after shutdown")
	}
}
