package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	tcclickhouse "github.com/testcontainers/testcontainers-go/modules/clickhouse"
	"github.com/testcontainers/testcontainers-go/modules/redpanda"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/moose-dev/moose-dev/internal/portowner"
)

// The images moose-dev runs, each overridable by its variable (a mirror, a
// pinned digest, an image pulled by hand).
var (
	ClickHouseImage = image{Default: "clickhouse/clickhouse-server:25.8", Env: "MOOSE_DEV_CLICKHOUSE_IMAGE"}
	RedpandaImage   = image{Default: "docker.redpanda.com/redpandadata/redpanda:v25.2.4", Env: "MOOSE_DEV_REDPANDA_IMAGE"}
	TemporalImage   = image{Default: "temporalio/temporal:1.5.1", Env: "MOOSE_DEV_TEMPORAL_IMAGE"}
)

type image struct{ Default, Env string }

// Ref is the image to run: the variable's value when set, else the default.
func (i image) Ref() string {
	if v := strings.TrimSpace(os.Getenv(i.Env)); v != "" {
		return v
	}
	return i.Default
}

// pullTimeout bounds a first pull of one image.
const pullTimeout = 10 * time.Minute

// Options says what to run for one project.
type Options struct {
	Project    string // names containers and volumes: moose-dev-<project>-clickhouse (see ProjectName)
	ProjectDir string // recorded as a label, for `docker ps --filter label=...`
	ClickHouse ClickHouseOptions
	Broker     *BrokerOptions   // nil: streaming is off
	Temporal   *TemporalOptions // nil: workflows are off
	Log        io.Writer        // testcontainers-go's own log lines; nil discards them
	Progress   func(string)     // one line per slow step (pulling an image)
}

// ClickHouseOptions are [clickhouse_config]'s.
type ClickHouseOptions struct {
	HostPort, NativePort     int
	User, Password, Database string
}

// BrokerOptions: the host port of the Kafka API ([redpanda_config] broker).
type BrokerOptions struct{ HostPort int }

// TemporalOptions: the host port of the frontend ([temporal_config]).
type TemporalOptions struct{ HostPort int }

// Services are the running containers and how to reach them.
type Services struct {
	ClickHouseAddr string // host:port of the HTTP interface
	NativeAddr     string // host:port of ClickHouse's native protocol
	BrokerAddr     string // host:port of the Kafka API
	TemporalAddr   string
	containers     []testcontainers.Container
}

// Label marks every container moose-dev creates with the
// project's directory.
const Label = "dev.moose-dev.project"

// Start runs ClickHouse, and Redpanda and Temporal when asked, in Docker.
// Containers are named after the project and reused by name, so a restart
// finds the same ones; data lives in named volumes, so it survives even a
// removed container. Ports are the configured ones, bound on loopback only
// when the engine is local.
func Start(ctx context.Context, o Options) (s *Services, err error) {
	network, address, err := Endpoint()
	if err != nil {
		return nil, err
	}
	if err := Ping(ctx, network, address); err != nil {
		return nil, err
	}
	// Ryuk, testcontainers' reaper, would remove our containers when the
	// session ends (and needs an image of its own): moose-dev stops them
	// itself and keeps them for the next run.
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	bind, host := bindAddrs(network, address)
	if bind.IsLoopback() && os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
		// Ports are published on loopback, so readiness checks must dial
		// loopback too (testcontainers-go would otherwise dial the default
		// gateway when it believes it runs inside a container).
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", host)
	}
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	logger := log.New(logw, "", log.LstdFlags)
	tclog.SetDefault(logger) // the "Connected to docker" banner and other provider lines
	common := []testcontainers.ContainerCustomizer{
		testcontainers.WithLogger(logger),
		testcontainers.WithLabels(map[string]string{Label: o.ProjectDir}),
	}
	eng := newEngine(network, address)
	s = &Services{}
	defer func() {
		if err != nil {
			s.Stop(context.Background())
		}
	}()
	for _, svc := range services(o, &s.ClickHouseAddr, &s.BrokerAddr, &s.TemporalAddr) {
		ref, err := ensureImage(ctx, eng, svc.image, o.Progress)
		if err != nil {
			return s, err
		}
		var fixed []int
		for _, p := range svc.ports {
			if p != 0 {
				fixed = append(fixed, p)
			}
		}
		if err := portsFree(fixed...); err != nil {
			return s, err
		}
		name := containerName(o.Project, svc.role)
		opts := slices.Concat(common, []testcontainers.ContainerCustomizer{
			testcontainers.WithReuseByName(name),
			testcontainers.WithMounts(testcontainers.VolumeMount(name+"-data", testcontainers.ContainerMountTarget(svc.dataDir))),
			withPorts(bind, svc.ports)}, svc.opts)
		c, err := svc.run(ctx, ref, opts...)
		if c != nil {
			s.containers = append(s.containers, c)
		}
		if err != nil {
			return s, explain(svc.title, name, err)
		}
		*svc.addr = net.JoinHostPort(host, strconv.Itoa(svc.ports[svc.mainPort]))
	}
	s.NativeAddr = net.JoinHostPort(host, strconv.Itoa(o.ClickHouse.NativePort))
	return s, nil
}

// service is one container to run: its image, the container ports to
// publish (at their configured host ports, 0 for any), where its data lives,
// and how testcontainers-go runs it.
type service struct {
	title, role string
	image       image
	ports       map[string]int
	mainPort    string  // the port clients use
	addr        *string // receives host:port of mainPort
	dataDir     string
	opts        []testcontainers.ContainerCustomizer
	run         func(context.Context, string, ...testcontainers.ContainerCustomizer) (testcontainers.Container, error)
}

// adapt turns a module's Run into one returning the Container interface,
// nil (not a typed nil) when nothing was created.
func adapt[C testcontainers.Container](run func(context.Context, string, ...testcontainers.ContainerCustomizer) (C, error)) func(context.Context, string, ...testcontainers.ContainerCustomizer) (testcontainers.Container, error) {
	return func(ctx context.Context, ref string, opts ...testcontainers.ContainerCustomizer) (testcontainers.Container, error) {
		c, err := run(ctx, ref, opts...)
		var none C
		if any(c) == any(none) {
			return nil, err
		}
		return c, err
	}
}

// services lists what o asks for: ClickHouse always, Redpanda and Temporal
// when configured.
func services(o Options, chAddr, brokerAddr, temporalAddr *string) []service {
	ch := o.ClickHouse
	out := []service{{title: "ClickHouse", role: "clickhouse", image: ClickHouseImage, dataDir: "/var/lib/clickhouse",
		ports: map[string]int{"8123/tcp": ch.HostPort, "9000/tcp": ch.NativePort}, mainPort: "8123/tcp", addr: chAddr,
		opts: []testcontainers.ContainerCustomizer{tcclickhouse.WithUsername(ch.User), tcclickhouse.WithPassword(ch.Password),
			tcclickhouse.WithDatabase(ch.Database)},
		run: adapt(tcclickhouse.Run)}}
	if b := o.Broker; b != nil {
		out = append(out, service{title: "Redpanda", role: "redpanda", image: RedpandaImage, dataDir: "/var/lib/redpanda/data",
			ports: map[string]int{"9092/tcp": b.HostPort, "9644/tcp": 0, "8081/tcp": 0, "8082/tcp": 0}, mainPort: "9092/tcp", addr: brokerAddr,
			run: adapt(redpanda.Run)})
	}
	if t := o.Temporal; t != nil {
		out = append(out, service{title: "Temporal", role: "temporal", image: TemporalImage, dataDir: "/data",
			ports: map[string]int{"7233/tcp": t.HostPort, "8233/tcp": 0}, mainPort: "7233/tcp", addr: temporalAddr,
			opts: []testcontainers.ContainerCustomizer{
				testcontainers.WithCmd("server", "start-dev", "--ip", "0.0.0.0", "--db-filename", "/data/temporal.db"),
				// a fresh named volume is root's; the CLI image may run as another user
				testcontainers.WithConfigModifier(func(c *container.Config) { c.User = "0:0" }),
				testcontainers.WithExposedPorts("7233/tcp", "8233/tcp"),
				testcontainers.WithWaitStrategy(wait.ForListeningPort("7233/tcp").WithStartupTimeout(2 * time.Minute)),
			},
			run: adapt(testcontainers.Run)})
	}
	return out
}

// Stop stops the containers, newest first, without removing them: the next
// Start reuses them by name, with their data.
func (s *Services) Stop(ctx context.Context) error {
	var errs []error
	timeout := 10 * time.Second
	for i := len(s.containers) - 1; i >= 0; i-- {
		errs = append(errs, s.containers[i].Stop(ctx, &timeout))
	}
	s.containers = nil
	return errors.Join(errs...)
}

// ensureImage returns the image to run, pulling it first when the engine
// does not have it.
func ensureImage(ctx context.Context, eng *engine, img image, progress func(string)) (string, error) {
	ref := img.Ref()
	ok, err := eng.hasImage(ctx, ref)
	if err != nil || ok {
		return ref, err
	}
	if progress != nil {
		progress("pulling " + ref + " (first run)")
	}
	if err := eng.pull(ctx, ref, pullTimeout); err != nil {
		var pe *ImagePullError
		if errors.As(err, &pe) {
			pe.Env = img.Env
		}
		return ref, err
	}
	return ref, nil
}

// bindAddrs: where to publish ports and where clients reach them. A local
// engine (unix socket, loopback TCP) publishes on 127.0.0.1 only, so a dev
// database is never open to the network; a remote one on all interfaces of
// its host. TESTCONTAINERS_HOST_OVERRIDE, when set, names the client side.
func bindAddrs(network, address string) (bind netip.Addr, host string) {
	host = "127.0.0.1"
	bind = netip.MustParseAddr("127.0.0.1")
	if network == "tcp" {
		h, _, err := net.SplitHostPort(address)
		if err == nil && !isLoopback(h) {
			bind, host = netip.IPv4Unspecified(), h
		}
	}
	if v := os.Getenv("TESTCONTAINERS_HOST_OVERRIDE"); v != "" {
		host = v
	}
	return bind, host
}

func isLoopback(h string) bool {
	if h == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}

// withPorts publishes each container port on bind at its host port (0: any
// free port).
func withPorts(bind netip.Addr, ports map[string]int) testcontainers.CustomizeRequestOption {
	return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		if hc.PortBindings == nil {
			hc.PortBindings = network.PortMap{}
		}
		for p, hostPort := range ports {
			hc.PortBindings[network.MustParsePort(p)] = []network.PortBinding{{HostIP: bind, HostPort: strconv.Itoa(hostPort)}}
		}
	})
}

// ProjectName names a project's containers: its directory's name and a
// short hash of its path, so two projects both called "app" never share
// containers or data.
func ProjectName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Base(dir) + "-" + hex.EncodeToString(sum[:3])
}

var nameUnsafe = regexp.MustCompile(`[^a-z0-9_.-]+`)

// containerName is moose-dev-<project>-<role>, with the project's name
// reduced to what Docker accepts.
func containerName(project, role string) string {
	p := strings.Trim(nameUnsafe.ReplaceAllString(strings.ToLower(project), "-"), "-._")
	if p == "" {
		p = "project"
	}
	return "moose-dev-" + p + "-" + role
}

// portsFree checks the host ports before Docker is asked to publish them,
// so that the answer names who holds one. A port held by docker-proxy may be
// our own container from an earlier run, which Docker then reuses.
func portsFree(ports ...int) error {
	for _, port := range ports {
		if portowner.Check("127.0.0.1", port) == nil {
			continue
		}
		if owner, ok := portowner.Find(port); ok {
			if owner.Name == "docker-proxy" {
				continue
			}
			return fmt.Errorf("port %d is taken by %s: stop it or change the port in moose.config.toml", port, owner)
		}
		return fmt.Errorf("port %d is taken: stop what listens there or change the port in moose.config.toml", port)
	}
	return nil
}

var portAllocated = regexp.MustCompile(`(?:0\.0\.0\.0|127\.0\.0\.1|\[::\]):(\d+).*(?:port is already allocated|address already in use)|Bind for [^:]*:(\d+) failed`)

// explain turns what Docker and testcontainers-go say into what the user
// should do.
func explain(service, name string, err error) error {
	msg := err.Error()
	if m := portAllocated.FindStringSubmatch(msg); m != nil {
		port := m[1]
		if port == "" {
			port = m[2]
		}
		return fmt.Errorf("%s: port %s is taken (by another container or process): free it or change the port in moose.config.toml\n  (%v)", service, port, err)
	}
	if strings.Contains(msg, "is already in use by container") {
		return fmt.Errorf("%s: container %s exists but cannot be reused; remove it (docker rm -f %s; its data volume stays), then start again\n  (%v)", service, name, name, err)
	}
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "deadline exceeded") {
		return fmt.Errorf("%s did not become ready in time; see docker logs %s\n  (%v)", service, name, err)
	}
	return fmt.Errorf("%s in Docker: %w", service, err)
}
