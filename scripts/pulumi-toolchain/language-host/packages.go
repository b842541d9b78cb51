package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON is the part of a package.json that plugin discovery reads.
type packageJSON struct {
	Name    string                  `json:"name"`
	Version string                  `json:"version"`
	Pulumi  plugin.PulumiPluginJSON `json:"pulumi"`
}

// findRequiredPackages walks dir, following symlinks, and returns a resource
// plugin for every package.json inside a node_modules folder that declares
// `"pulumi": {"resource": true}`. Policy packs met on the way are skipped: their
// plugins are not the program's. When the walk finds copies of @pulumi/pulumi
// whose versions are incompatible it writes a warning to warn. Errors on
// individual entries are collected; whatever was found is still returned.
func findRequiredPackages(dir string, warn io.Writer) ([]*pulumirpc.PackageDependency, error) {
	w := &packageWalker{sdkVersions: map[string]semver.Version{}, visited: map[string]bool{}}
	w.walk(dir, false)
	w.warnIncompatibleSDKs(warn)
	return w.packages, errors.Join(w.errs...)
}

type packageWalker struct {
	packages    []*pulumirpc.PackageDependency
	sdkVersions map[string]semver.Version // package.json path -> @pulumi/pulumi version
	visited     map[string]bool
	errs        []error
}

func (w *packageWalker) walk(dir string, inNodeModules bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("getting full path for plugin dir %s: %w", dir, err))
		return
	}
	if w.visited[dir] {
		return
	}
	w.visited[dir] = true

	entries, err := os.ReadDir(dir)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("reading plugin dir %s: %w", dir, err))
		return
	}
	childInNodeModules := inNodeModules || filepath.Base(dir) == "node_modules"
	for _, entry := range entries {
		path := filepath.Join(dir, entry.Name())
		isDir := entry.IsDir()
		if entry.Type()&fs.ModeSymlink != 0 {
			resolved, err := filepath.EvalSymlinks(path)
			if err != nil {
				w.errs = append(w.errs, fmt.Errorf("resolving link in plugin dir %s: %w", path, err))
				continue
			}
			fi, err := os.Stat(resolved)
			if err != nil {
				w.errs = append(w.errs, err)
				continue
			}
			path, isDir = resolved, fi.IsDir()
		}

		switch {
		case isDir:
			policyPack, err := workspace.DetectPolicyPackPathAt(path)
			if err != nil {
				w.errs = append(w.errs, err)
				continue
			}
			if policyPack != "" {
				continue
			}
			w.walk(path, childInNodeModules)
		case inNodeModules && entry.Name() == "package.json":
			w.readPackageJSON(path)
		}
	}
}

func (w *packageWalker) readPackageJSON(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("reading package.json %s: %w", path, err))
		return
	}
	var info packageJSON
	if err := json.Unmarshal(b, &info); err != nil {
		w.errs = append(w.errs, fmt.Errorf("unmarshaling package.json %s: %w", path, err))
		return
	}
	if info.Name == "@pulumi/pulumi" {
		v, err := semver.Parse(info.Version)
		if err != nil {
			w.errs = append(w.errs, fmt.Errorf("Could not understand version %s in '%s': %w", info.Version, path, err))
			return
		}
		w.sdkVersions[path] = v
	}
	dep, err := pluginDependency(info)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("unmarshaling package.json %s: %w", path, err))
		return
	}
	if dep != nil {
		w.packages = append(w.packages, dep)
	}
}

// pluginDependency returns the resource plugin a package declares, or nil.
func pluginDependency(info packageJSON) (*pulumirpc.PackageDependency, error) {
	if !info.Pulumi.Resource {
		return nil, nil
	}
	name := info.Pulumi.Name
	if name == "" {
		switch {
		case info.Name == "":
			return nil, errors.New("missing expected \"name\" property")
		case strings.HasPrefix(info.Name, "@pulumi/"):
			name = strings.TrimPrefix(info.Name, "@pulumi/")
		default:
			return nil, fmt.Errorf("Missing property \"name\" for the third-party plugin '%v' "+
				"inside package.json under the \"pulumi\" section.", info.Name)
		}
	}
	version := info.Pulumi.Version
	if version == "" {
		version = info.Version
	}
	if version == "" {
		return nil, errors.New("Missing expected \"version\" property")
	}
	if !strings.HasPrefix(version, "v") {
		version = "v" + version
	}
	dep := &pulumirpc.PackageDependency{
		Name:    name,
		Kind:    "resource",
		Version: version,
		Server:  info.Pulumi.Server,
	}
	if p := info.Pulumi.Parameterization; p != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	if p := info.Pulumi.ExtensionParameterization; p != nil {
		dep.Extension = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	return dep, nil
}

func (w *packageWalker) warnIncompatibleSDKs(out io.Writer) {
	if len(w.errs) > 0 || len(w.sdkVersions) < 2 {
		return
	}
	paths := make([]string, 0, len(w.sdkVersions))
	for p := range w.sdkVersions {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	first := w.sdkVersions[paths[0]]
	for _, p := range paths[1:] {
		if ok, why := compatibleSDKVersions(w.sdkVersions[p], first); !ok {
			fmt.Fprintf(out, "Found incompatible versions of @pulumi/pulumi. %s\n"+
				"  Version %s referenced at %s\n  Version %s referenced at %s\n",
				why, first, paths[0], w.sdkVersions[p], p)
			return
		}
	}
}

// compatibleSDKVersions says whether two copies of @pulumi/pulumi can share a
// program: from 3.0 on, their major versions must match.
func compatibleSDKVersions(a, b semver.Version) (bool, string) {
	switch {
	case a.Major == 0 && b.Major == 0:
		if a.Minor != b.Minor {
			return false, "Differing major or minor versions are not supported."
		}
	case a.Major >= 1 && a.Major <= 2 && b.Major >= 1 && b.Major <= 2:
	case a.Major > 2 || b.Major > 2:
		if a.Major != b.Major {
			return false, "Differing major versions are not supported."
		}
	case a.Major == 1 && b.Major == 0 && b.Minor == 17 || b.Major == 1 && a.Major == 0 && a.Minor == 17:
	default:
		return false, "Differing major or minor versions are not supported."
	}
	return true, ""
}
