// A Kafka wire-protocol broker for tests: franz-go's kfake (topics, partitions, consumer
// groups, committed offsets), not Apache Kafka. Flags: -port, -topic name:partitions (repeatable).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

type topics []string

func (t *topics) String() string     { return strings.Join(*t, ",") }
func (t *topics) Set(v string) error { *t = append(*t, v); return nil }

func main() {
	port := flag.Int("port", 9092, "listen port on 127.0.0.1")
	var seed topics
	flag.Var(&seed, "topic", "name:partitions, repeatable")
	flag.Parse()
	// Short group sessions let tests see a rebalance in seconds (kfake listens on 127.0.0.1).
	opts := []kfake.Opt{kfake.Ports(*port), kfake.GroupMinSessionTimeout(time.Second)}
	for _, t := range seed {
		name, n, _ := strings.Cut(t, ":")
		partitions, err := strconv.Atoi(n)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bad -topic %q: want name:partitions\n", t)
			os.Exit(2)
		}
		opts = append(opts, kfake.SeedTopics(int32(partitions), name))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("ready", c.ListenAddrs())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	c.Close()
}
