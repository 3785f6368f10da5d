//go:build tools

// Package tools pins Temporal's own server and its SQL schema tool, built by
// scripts/ensure-temporal-server.sh (the server version the pinned CLI embeds).
package tools

import (
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
