//go:build tools

// Package tools pins the Kubernetes control-plane binaries the test plane builds.
// k8s.io/kubernetes points its staging modules at ./staging paths that do not exist in
// the module download, so go.mod replaces each with its published v0.37.2 tag.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
