// Command standin plays the Redpanda and Temporal images in the Docker
// provider's opt-in tests on machines where no registry can be reached
// (see docker/testdata/standin-images.sh). It is not a Redpanda or a
// Temporal: it answers on their ports the way the provider and
// testcontainers-go's readiness checks expect, and serves the Kafka API
// with kfake, advertised at the address the redpanda module writes into
// /etc/redpanda/redpanda.yaml. The ClickHouse stand-in is moose-dev's own
// embedded engine.
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: standin redpanda|temporal ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "redpanda":
		err = redpanda()
	case "temporal":
		err = listenAll(":7233", ":8233")
	default:
		err = fmt.Errorf("unknown role %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "standin:", err)
		os.Exit(1)
	}
	select {}
}

// redpanda serves the Kafka API on 9092, advertised as the external
// address of redpanda.yaml, and the admin (404 on /), schema registry and
// proxy ports.
func redpanda() error {
	host, port, err := advertised("/etc/redpanda/redpanda.yaml")
	if err != nil {
		return err
	}
	_, err = kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(9092), kfake.DataDir("/var/lib/redpanda/data"),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			ln, err := net.Listen(network, ":9092")
			if err != nil {
				return nil, err
			}
			return advertisedListener{ln, &net.TCPAddr{IP: net.ParseIP(host), Port: port}}, nil
		}))
	if err != nil {
		return err
	}
	go http.ListenAndServe(":9644", http.NotFoundHandler())
	if err := listenAll(":8081", ":8082"); err != nil {
		return err
	}
	fmt.Println("Successfully started Redpanda!")
	return nil
}

type advertisedListener struct {
	net.Listener
	addr net.Addr
}

func (l advertisedListener) Addr() net.Addr { return l.addr }

// advertised reads the external advertised_kafka_api entry: the address
// line after "advertised_kafka_api:" and the port two lines later.
func advertised(path string) (string, int, error) {
	for range 100 { // the module writes the file just after the start
		f, err := os.Open(path)
		if err == nil {
			host, port := "", 0
			in := false
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				switch {
				case line == "advertised_kafka_api:":
					in = true
				case in && strings.HasPrefix(line, "- address:") && host == "":
					host = strings.TrimSpace(strings.TrimPrefix(line, "- address:"))
				case in && strings.HasPrefix(line, "port:") && port == 0:
					fmt.Sscan(strings.TrimPrefix(line, "port:"), &port)
				}
			}
			f.Close()
			if host != "" && port != 0 {
				if ips, err := net.LookupIP(host); err == nil && host == "localhost" {
					host = ips[0].String()
				}
				return host, port, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", 0, fmt.Errorf("%s: no advertised Kafka address", path)
}

// listenAll accepts and closes connections on each address.
func listenAll(addrs ...string) error {
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			return err
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
	return nil
}
