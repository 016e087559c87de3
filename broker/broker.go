// Package broker owns the Kafka side: the embedded Kafka-protocol broker
// (kfake, in process, loopback only, data under .moose/) and topic changes
// applied with segmentio/kafka-go against any broker.
package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/portowner"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
)

// Embedded is the in-process broker.
type Embedded struct {
	cluster *kfake.Cluster
	Addr    string
}

// StartEmbedded runs a one-node broker on addr (loopback only) keeping its
// topics, messages and offsets in dataDir across restarts.
func StartEmbedded(addr, dataDir string) (*Embedded, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("broker address %q: %w", addr, err)
	}
	if host == "localhost" || host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("the embedded broker listens on loopback only, not %q", host)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("broker port %q: %w", portStr, err)
	}
	listen := net.JoinHostPort(host, portStr)
	if err := portowner.Check(host, port); err != nil {
		return nil, fmt.Errorf("broker %v (is another moose-dev or Kafka running? stop it, or set [redpanda_config] broker)", err)
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.DataDir(dataDir),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, listen) }))
	if err != nil {
		return nil, fmt.Errorf("starting the embedded broker: %w", err)
	}
	e := &Embedded{cluster: c, Addr: c.ListenAddrs()[0]}
	if err := e.waitReady(10 * time.Second); err != nil {
		c.Close()
		return nil, err
	}
	return e, nil
}

// waitReady waits until the broker answers metadata naming a controller:
// before that it refuses admin requests as "broker not available".
func (e *Embedded) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		tr := &kafka.Transport{DialTimeout: time.Second}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		md, err := (&kafka.Client{Addr: kafka.TCP(e.Addr), Transport: tr}).Metadata(ctx, &kafka.MetadataRequest{})
		cancel()
		tr.CloseIdleConnections()
		if err == nil && len(md.Brokers) > 0 && md.Controller.Host != "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the embedded broker did not become ready: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// transient reports Kafka errors that mean "try again in a moment".
func transient(err error) bool {
	for _, k := range []kafka.Error{kafka.BrokerNotAvailable, kafka.LeaderNotAvailable, kafka.NotController,
		kafka.RequestTimedOut, kafka.NotEnoughReplicas} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// Close stops the broker, persisting its data.
func (e *Embedded) Close() { e.cluster.Close() }

// Admin changes topics on a broker.
type Admin struct {
	Addr              string
	Namespace         string // topic name prefix (`{namespace}.{id}`), as upstream
	ReplicationFactor int
	Security          Security // TLS and SASL, for a broker of the user's
}

// TopicName is the Kafka name of a topic: its id, prefixed by the namespace.
func (a *Admin) TopicName(t *infra.Topic) string {
	if a.Namespace != "" {
		return a.Namespace + "." + t.ID()
	}
	return t.ID()
}

// client returns a kafka-go client on a transport of its own, and the
// function that closes it. Nothing is kept between calls: kafka-go's
// metadata cache goes stale after deletes and partition changes, and
// pooled connections break when the broker restarts (environment.md). So
// the transport reads the metadata once, when the session starts, and
// never again in the background (with a TTL of a millisecond it read
// every topic 86 times while 2,000 topics were created): the admin
// requests a session sends go to the controller and need none of it.
func (a *Admin) client() (*kafka.Client, func()) {
	tr := a.transport(5 * time.Second)
	tr.MetadataTTL = time.Hour
	return &kafka.Client{Addr: kafka.TCP(a.Addr), Transport: tr, Timeout: 10 * time.Second}, tr.CloseIdleConnections
}

// TopicInfo is what the broker says of a topic.
type TopicInfo struct {
	Partitions int
	// RetentionMs is the topic's retention.ms; -1 when the broker did not
	// say (or keeps messages forever).
	RetentionMs int64
}

// Topics lists the broker's topics (internal ones excluded).
// A listing that does not answer within a few seconds is retried on a new
// connection.
func (a *Admin) Topics(ctx context.Context) (map[string]TopicInfo, error) {
	var md *kafka.MetadataResponse
	var err error
	var tr *kafka.Transport
	for attempt := 0; attempt < 3; attempt++ {
		// a fresh transport: a kept one answers Metadata from its cache,
		// which lags behind deletes and partition changes
		tr = a.transport(3 * time.Second)
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		md, err = (&kafka.Client{Addr: kafka.TCP(a.Addr), Transport: tr}).Metadata(actx, &kafka.MetadataRequest{})
		cancel()
		if err == nil || ctx.Err() != nil {
			break
		}
		tr.CloseIdleConnections()
	}
	if err != nil {
		tr.CloseIdleConnections()
		return nil, fmt.Errorf("listing topics at %s: %w", a.Addr, err)
	}
	// the configs below on the same transport: a new one would first read
	// every topic's metadata again
	defer tr.CloseIdleConnections()
	out := map[string]TopicInfo{}
	var req kafka.DescribeConfigsRequest
	for _, t := range md.Topics {
		if t.Internal || t.Error != nil {
			continue
		}
		out[t.Name] = TopicInfo{Partitions: len(t.Partitions), RetentionMs: -1}
		req.Resources = append(req.Resources, kafka.DescribeConfigRequestResource{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: t.Name, ConfigNames: []string{"retention.ms"}})
	}
	if len(req.Resources) == 0 {
		return out, nil
	}
	// Retention, in one request for all topics: a change made by hand is
	// then put back like any other drift.
	actx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	resp, err := (&kafka.Client{Addr: kafka.TCP(a.Addr), Transport: tr}).DescribeConfigs(actx, &req)
	if err != nil {
		return nil, fmt.Errorf("reading topic configs at %s: %w", a.Addr, err)
	}
	for _, r := range resp.Resources {
		info, ok := out[r.ResourceName]
		if !ok || r.Error != nil {
			continue
		}
		for _, e := range r.ConfigEntries {
			if e.ConfigName == "retention.ms" {
				if v, err := strconv.ParseInt(e.ConfigValue, 10, 64); err == nil {
					info.RetentionMs = v
				}
			}
		}
		out[r.ResourceName] = info
	}
	return out, nil
}

// Apply runs topic changes: create, grow partitions, change retention,
// delete. A partition decrease is refused: Kafka cannot shrink a topic.
func (a *Admin) Apply(ctx context.Context, changes []differ.Change) error {
	s := a.session()
	defer s.close()
	var adds []*infra.Topic // one request for every new topic
	for _, ch := range changes {
		if add, ok := ch.(differ.AddTopic); ok {
			adds = append(adds, add.Topic)
			continue
		}
		if err := s.do(ctx, func(c *kafka.Client) error { return a.applyOne(ctx, c, ch) }); err != nil {
			return err
		}
	}
	if len(adds) == 0 {
		return nil
	}
	return s.do(ctx, func(c *kafka.Client) error { return a.create(ctx, c, adds...) })
}

// retry runs fn on a session of its own.
func (a *Admin) retry(ctx context.Context, fn func(*kafka.Client) error) error {
	s := a.session()
	defer s.close()
	return s.do(ctx, fn)
}

// session is one connection for a series of requests (a connection per
// request ran the broker out at a few hundred topics), closed after them:
// no transport outlives a call (a kept one refreshes metadata forever).
type session struct {
	a    *Admin
	c    *kafka.Client
	done func()
}

func (a *Admin) session() *session {
	c, done := a.client()
	return &session{a: a, c: c, done: done}
}

func (s *session) close() { s.done() }

// do runs fn, again on a new connection while it fails transiently.
func (s *session) do(ctx context.Context, fn func(*kafka.Client) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = fn(s.c)
		if err == nil || !transient(err) || ctx.Err() != nil {
			return err
		}
		s.done()
		s.c, s.done = s.a.client()
		time.Sleep(time.Duration(50<<attempt) * time.Millisecond)
	}
	return err
}

func (a *Admin) applyOne(ctx context.Context, c *kafka.Client, ch differ.Change) error {
	var err error
	switch ch := ch.(type) {
	case differ.AddTopic:
		err = a.create(ctx, c, ch.Topic)
	case differ.DropTopic:
		var resp *kafka.DeleteTopicsResponse
		resp, err = c.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{a.TopicName(ch.Topic)}})
		if err == nil {
			err = firstErr(resp.Errors)
		}
	case differ.UpdateTopic:
		err = a.update(ctx, c, ch.Before, ch.After)
	}
	return err
}

// create creates topics in one request; one that already exists (a retry
// after a partial success) is no error.
func (a *Admin) create(ctx context.Context, c *kafka.Client, topics ...*infra.Topic) error {
	rf := a.ReplicationFactor
	if rf < 1 {
		rf = 1
	}
	req := &kafka.CreateTopicsRequest{}
	for _, t := range topics {
		req.Topics = append(req.Topics, kafka.TopicConfig{Topic: a.TopicName(t), NumPartitions: t.PartitionCount, ReplicationFactor: rf,
			ConfigEntries: []kafka.ConfigEntry{{ConfigName: "retention.ms", ConfigValue: strconv.FormatUint(t.RetentionPeriod.Secs*1000, 10)}}})
	}
	resp, err := c.CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("creating topic(s) %s: %w", topicList(req), err)
	}
	for name, err := range resp.Errors {
		if errors.Is(err, kafka.TopicAlreadyExists) {
			delete(resp.Errors, name)
		}
	}
	if err := firstErr(resp.Errors); err != nil {
		return fmt.Errorf("creating topic(s) %s: %w", topicList(req), err)
	}
	return nil
}

// topicList names a request's topics, the first few.
func topicList(req *kafka.CreateTopicsRequest) string {
	var names []string
	for i, t := range req.Topics {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(req.Topics)-5))
			break
		}
		names = append(names, t.Topic)
	}
	return strings.Join(names, ", ")
}

func (a *Admin) update(ctx context.Context, c *kafka.Client, before, after *infra.Topic) error {
	name := a.TopicName(after)
	if after.PartitionCount < before.PartitionCount {
		return fmt.Errorf("topic %s: partitions cannot decrease (%d -> %d): Kafka cannot shrink a topic; recreate it under a new name or version", name, before.PartitionCount, after.PartitionCount)
	}
	if after.PartitionCount > before.PartitionCount {
		resp, err := c.CreatePartitions(ctx, &kafka.CreatePartitionsRequest{Topics: []kafka.TopicPartitionsConfig{{Name: name, Count: int32(after.PartitionCount)}}})
		if err != nil {
			return fmt.Errorf("growing topic %s: %w", name, err)
		}
		if err := firstErr(resp.Errors); err != nil {
			return fmt.Errorf("growing topic %s: %w", name, err)
		}
	}
	if after.RetentionPeriod != before.RetentionPeriod {
		resp, err := c.IncrementalAlterConfigs(ctx, &kafka.IncrementalAlterConfigsRequest{Resources: []kafka.IncrementalAlterConfigsRequestResource{{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: name,
			Configs: []kafka.IncrementalAlterConfigsRequestConfig{{Name: "retention.ms", Value: strconv.FormatUint(after.RetentionPeriod.Secs*1000, 10), ConfigOperation: kafka.ConfigOperationSet}},
		}}})
		if err != nil {
			return fmt.Errorf("changing retention of %s: %w", name, err)
		}
		for _, r := range resp.Resources {
			if r.Error != nil {
				return fmt.Errorf("changing retention of %s: %w", name, r.Error)
			}
		}
	}
	return nil
}

func firstErr(errs map[string]error) error {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if errs[k] != nil {
			return errs[k]
		}
	}
	return nil
}
